"""Every shipped persona, played to an ending in the app with the keyboard, shows its outcome in the debrief.
Uses the real analyser and the real debrief. The key sequence is choice 1 each time, or (if that does not end)
the shortest path to an ending found with the engine."""

from __future__ import annotations

import sys
from collections import deque
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "fixtures" / "ui"))

from uisupport import conversation_ready, debrief_ready, run_async, wait_for  # noqa: E402

from trainer.persona.registry import available  # noqa: E402
from trainer.paths import shipped_personas_dir  # noqa: E402

SHIPPED = sorted(p.stem for p in shipped_personas_dir().glob("*.yaml")) if shipped_personas_dir().is_dir() else []


def keys_to_an_ending(persona, analyser, max_turns: int = 60) -> list[int]:
    from trainer.engine.session import CompiledPersona, Session

    compiled = CompiledPersona(persona)
    s = Session(compiled, analyser)
    keys: list[int] = []
    while not s.ended and len(keys) < max_turns:
        s.choose(1)
        keys.append(1)
    if s.ended:
        return keys
    queue, seen = deque([()]), {Session(compiled, analyser).state}
    while queue:  # breadth-first over distinct states
        seq = queue.popleft()
        s = Session(compiled, analyser)
        for n in seq:
            s.choose(n)
        for option in s.open_choices():
            s.choose(option.number)
            if s.ended:
                return [*seq, option.number]
            if s.state not in seen:
                seen.add(s.state)
                queue.append((*seq, option.number))
            s.undo()
    raise AssertionError("no ending is reachable")


@pytest.mark.skipif(not SHIPPED, reason="no shipped personas in personas/ yet")
@pytest.mark.parametrize("pid", SHIPPED)
@run_async
async def test_shipped_persona_plays_to_debrief(pid, tmp_path):
    from trainer.i18n import outcome_label
    from trainer.persona.loader import load_persona
    from trainer.ui.app import create_app
    from trainer.ui.options import AppOptions
    from trainer.wiring import default_analyser

    persona = load_persona(available()[pid]).persona
    keys = keys_to_an_ending(persona, default_analyser())
    app = create_app(AppOptions(persona=pid, sessions=tmp_path, cursor_blink=False, animations=False,
                                keymap_path=tmp_path / "none.toml"))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: conversation_ready(app))
        for key in keys:
            await pilot.press(str(key))
        session = app.screen.run.session
        assert session.ended, f"{pid}: not ended after {keys}"
        await pilot.press("1")
        await wait_for(pilot, lambda: debrief_ready(app), timeout=20)
        shown = str(app.screen.query_one("#outcome").render())
        assert outcome_label(session.outcome, "nl", persona.outcomes) in shown
        assert "niet beschikbaar" not in " ".join(str(w.render()) for w in app.screen.query(".section"))
