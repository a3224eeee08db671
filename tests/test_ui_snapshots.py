"""Snapshot tests (pytest-textual-snapshot) of the start, conversation (practice, assessment) and debrief screens
at 80x24 and 120x40, with the fixture personas, a fixed trainee name and time, no cursor blink, no animations.
Update after an intended change: `scripts/test tests/test_ui_snapshots.py --snapshot-update`."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "fixtures" / "ui"))

from uisupport import HERE, conversation_ready, debrief_ready, options, wait_for  # noqa: E402

from trainer.ui.app import create_app  # noqa: E402

SIZES = [(80, 24), (120, 40)]


@pytest.fixture(autouse=True)
def stable(monkeypatch, tmp_path):
    import trainer.paths
    import trainer.ui.exporting

    monkeypatch.setattr(trainer.paths, "shipped_personas_dir", lambda: tmp_path / "no-shipped-personas")
    # export buttons enabled whether or not trainer.export is in this checkout
    monkeypatch.setattr(trainer.ui.exporting, "EXPORTERS", {"json": lambda *a: None, "html": lambda *a: None})
    monkeypatch.delenv("GESPREKSTRAINER_PERSONAS", raising=False)
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def unfinished_session(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    header = {"type": "start", "schema": 1, "session": "20250304-093000-ria-abcd", "persona": "ria",
              "persona_path": str(HERE / "ria.yaml"), "persona_hash": "x", "trainee": "Sam", "mode": "practice",
              "lang": "nl", "free_text": False, "started": "2025-03-04T09:30:00+00:00", "start": None, "meters": None}
    turn = {"type": "choose", "turn": 1, "at": "2025-03-04T09:31:00+00:00", "node": "begin", "choice": "begin.1",
            "trust": 48, "motivation": 39, "phase": "aftastend"}
    (folder / "20250304-093000-ria-abcd.jsonl").write_text(json.dumps(header) + "\n" + json.dumps(turn) + "\n")


def until(ready, *keys, then=None):
    """Wait until ready(app), press keys, then wait until then(app)."""
    async def run_before(pilot):
        await wait_for(pilot, lambda: ready(pilot.app))
        await pilot.press(*keys)
        await wait_for(pilot, lambda: (then or ready)(pilot.app))
    return run_before


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_start_screen(snap_compare, tmp_path, size):
    unfinished_session(tmp_path / "sessions")
    app = create_app(options(tmp_path, trainee="Sam"))
    assert snap_compare(app, terminal_size=size,
                        run_before=until(lambda a: len(getattr(a.screen, "cards", [])) == 2))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("mode", ["practice", "assessment"])
def test_conversation_screen(snap_compare, tmp_path, size, mode):
    app = create_app(options(tmp_path, persona="ria", trainee="Sam", mode=mode))
    assert snap_compare(app, terminal_size=size, run_before=until(conversation_ready, "1"))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_debrief_screen(snap_compare, tmp_path, size):
    app = create_app(options(tmp_path, persona="ria", trainee="Sam"))
    assert snap_compare(app, terminal_size=size, run_before=until(conversation_ready, "2", "2", "1", "1", then=debrief_ready))
