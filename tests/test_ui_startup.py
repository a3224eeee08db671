"""The start-up path of `trainer play` (see scripts/bench_startup.py): the garbage collector paused until the
first line is shown, the loading screen already laid out for the mode and the terminal's width, the footer rebuilt
only when its keys change, a resize to the same size ignored, only the named command's parser built, and the
benchmark's stamp hook. Also: Enter on a choice acts in key order (a race the faster start made visible in
tests/test_ui_tmux.py)."""

from __future__ import annotations

import gc
import sys
import threading
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "fixtures" / "ui"))

from uisupport import conversation_ready, options, run_async, wait_for  # noqa: E402

import trainer.ui.app as ui_app  # noqa: E402
from trainer.ui.app import create_app  # noqa: E402


@pytest.fixture(autouse=True)
def isolated(monkeypatch, tmp_path):
    import trainer.paths

    monkeypatch.setattr(trainer.paths, "shipped_personas_dir", lambda: tmp_path / "no-shipped-personas")
    monkeypatch.delenv("GESPREKSTRAINER_PERSONAS", raising=False)
    monkeypatch.delenv("GESPREKSTRAINER_KEYMAP", raising=False)
    yield
    ui_app.resume_gc()  # whatever a test did: the collector runs again, nothing stays frozen
    gc.unfreeze()
    gc.enable()


@pytest.fixture
def gated(monkeypatch):
    """Sessions open only when the test says so: the loading screen can be looked at."""
    import trainer.ui.application

    gate = threading.Event()
    real = trainer.ui.application.open_run

    def open_run(*args, **kwargs):
        assert gate.wait(10), "the test never let the session open"
        return real(*args, **kwargs)

    monkeypatch.setattr(trainer.ui.application, "open_run", open_run)
    yield gate
    gate.set()


def footer_text(app) -> str:
    return " ".join(str(key.render()) for key in app.screen.query("Footer FooterKey"))


def test_pause_and_resume_gc_are_idempotent():
    assert gc.isenabled()
    ui_app.pause_gc()
    ui_app.pause_gc()
    assert not gc.isenabled()
    ui_app.resume_gc()
    assert gc.isenabled() and gc.get_freeze_count() > 0
    ui_app.resume_gc()
    assert gc.isenabled()


def test_pause_gc_leaves_a_collector_that_was_off_alone():
    gc.disable()
    ui_app.pause_gc()
    ui_app.resume_gc()
    assert not gc.isenabled()  # it was not ours to switch on


@run_async
async def test_gc_paused_while_opening_and_resumed_with_the_first_line(tmp_path, gated):
    ui_app.pause_gc()
    app = create_app(options(tmp_path, persona="ria"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(0.1)
        assert not conversation_ready(app)
        assert not gc.isenabled()
        gated.set()
        await wait_for(pilot, lambda: conversation_ready(app))
        assert gc.isenabled()


@run_async
async def test_gc_resumed_when_the_session_cannot_open(tmp_path):
    broken = tmp_path / "kapot.yaml"
    broken.write_text("id: kapot\nname: [\n")
    ui_app.pause_gc()
    app = create_app(options(tmp_path, persona=str(broken)))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ErrorScreen")
        assert gc.isenabled()


@run_async
async def test_gc_resumed_on_the_start_screen(tmp_path):
    ui_app.pause_gc()
    app = create_app(options(tmp_path))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: type(app.screen).__name__ == "StartScreen")
        assert gc.isenabled()


@run_async
async def test_loading_screen_is_laid_out_for_the_mode(tmp_path, gated):
    app = create_app(options(tmp_path, persona="ria"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(0.1)
        screen = app.screen
        assert screen.has_class("-practice") and not screen.has_class("-assessment")
        assert str(screen.query_one("#m-trust").render()) == "vertrouwen"  # no number before there is one
        assert "Opslaan en stoppen" in footer_text(app)  # the footer's keys from the first paint on
        gated.set()
        await wait_for(pilot, lambda: conversation_ready(app))
        assert screen.has_class("-practice")
        meter = str(screen.query_one("#m-trust").render())
        assert meter.startswith("vertrouwen") and meter.split("\n")[0].split()[-1].isdigit() and "░" in meter


@run_async
async def test_assessment_loading_screen_has_no_side_panel(tmp_path, gated):
    app = create_app(options(tmp_path, persona="ria", mode="assessment"))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause(0.1)
        assert app.screen.has_class("-assessment") and not app.screen.has_class("-practice")
        assert not app.screen.query_one("#side").display
        gated.set()
        await wait_for(pilot, lambda: conversation_ready(app))
        assert not app.screen.query_one("#side").display


@run_async
async def test_resumed_session_gets_its_mode_from_the_journal(tmp_path):
    app = create_app(options(tmp_path, persona="ria", mode="assessment"))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: conversation_ready(app))
        await pilot.press("1")
        session_id = app.screen.run.session_id
    app = create_app(options(tmp_path, resume=session_id))  # options say practice; the journal says otherwise
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: conversation_ready(app))
        assert app.screen.has_class("-assessment") and not app.screen.has_class("-practice")


@run_async
async def test_footer_rebuilt_only_when_its_keys_change(tmp_path, gated, monkeypatch):
    from trainer.ui.widgets import Footer

    rebuilds = []
    real = Footer.recompose

    async def counting(self):
        rebuilds.append(footer_text(self.app))
        await real(self)

    monkeypatch.setattr(Footer, "recompose", counting)
    app = create_app(options(tmp_path, persona="ria"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(0.2)
        assert rebuilds == []  # resume, focus, ... signals: same keys, no rebuild while the session opens
        assert "Ongedaan maken" not in footer_text(app)
        gated.set()
        await wait_for(pilot, lambda: conversation_ready(app))
        await pilot.pause(0.1)
        assert len(rebuilds) == 1  # undo appears (nothing to undo yet)
        assert "Ongedaan maken" in footer_text(app)
        await pilot.press("1")
        await pilot.pause(0.1)
        assert len(rebuilds) == 2  # undo enabled now


def test_cli_builds_only_the_named_commands_parser():
    from trainer.cli import COMMANDS, build_parser

    def commands(parser):
        sub = next(a for a in parser._actions if a.dest == "command")
        return list(sub.choices)

    assert commands(build_parser(only="play")) == ["play"]
    assert commands(build_parser(only="validate")) == ["validate"]
    from trainer.cli import ALIASES  # Dutch aliases of the authoring commands (lees, nieuw, uitleg)

    assert [c for c in commands(build_parser()) if c not in ALIASES] == COMMANDS
    assert [c for c in commands(build_parser(only="--help")) if c not in ALIASES] == COMMANDS
    assert commands(build_parser(only=ALIASES["lees"])) == ["inspect", "lees"]


def test_cli_unknown_command_still_lists_all(capsys):
    from trainer.cli import main

    with pytest.raises(SystemExit):
        main(["bogus"])
    err = capsys.readouterr().err
    assert "invalid choice: 'bogus'" in err and "'report'" in err


def test_bench_stamp_written_only_when_asked(tmp_path, monkeypatch):
    import time

    from trainer.ui.options import BENCH_STAMP_ENV, write_bench_stamp

    monkeypatch.delenv(BENCH_STAMP_ENV, raising=False)
    write_bench_stamp()  # nothing to do, no error
    stamp = tmp_path / "stamp"
    monkeypatch.setenv(BENCH_STAMP_ENV, str(stamp))
    before = time.time()
    write_bench_stamp()
    assert before <= float(stamp.read_text()) <= time.time()


@run_async
async def test_enter_then_undo_right_behind_it_keep_their_order(tmp_path):
    """Enter chooses at once: a key typed right behind it (here undo) acts on the turn it made, not on the one
    before (the keys are queued together, as a fast typist or a terminal multiplexer delivers them)."""
    from textual.events import Key

    app = create_app(options(tmp_path, persona="ria"))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: conversation_ready(app))
        await pilot.press("1")
        run = app.screen.run
        for key, character in (("down", None), ("enter", "\r"), ("u", "u")):
            app.post_message(Key(key, character))
        await pilot.pause(0.3)
        assert [t.choice_id for t in run.session.turns] == ["begin.1"]
        lines = run.journal.path.read_text().splitlines()[1:]
        assert '"choice":"begin.1"' in lines[0] and '"choice":"verleden.2"' in lines[1] and '"undo"' in lines[2]


@run_async
async def test_a_resize_to_the_same_size_lays_nothing_out_again(tmp_path, monkeypatch):
    """The terminal driver reports the unchanged size once more right after the first paint; laying every screen
    out again for it delayed the persona's first line. A real resize still lays the screen out."""
    from textual import events
    from textual.screen import Screen

    app = create_app(options(tmp_path, persona="ria"))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: conversation_ready(app))
        await pilot.pause(0.2)
        layouts = []
        real = Screen._refresh_layout

        def counting(self, *args, **kwargs):
            layouts.append(type(self).__name__)
            return real(self, *args, **kwargs)

        monkeypatch.setattr(Screen, "_refresh_layout", counting)
        app.post_message(events.Resize(app.size, app.size))
        await pilot.pause(0.2)
        assert layouts == []
        await pilot.resize_terminal(60, 20)
        await pilot.pause(0.2)
        assert "ConversationScreen" in layouts
        assert "vertrouwen" in str(app.screen.query_one("#topbar").render())  # narrow: meters in the top bar


@run_async
async def test_loading_screen_is_styled_once_with_its_width_class(tmp_path, monkeypatch):
    """The screen starts with the width class of the terminal (-narrow/-normal/-wide), so the first resize changes
    no class and the whole screen is styled once before its first paint, not twice."""
    from textual.css.stylesheet import Stylesheet

    whole_screen = []
    real = Stylesheet.update_nodes

    def counting(self, nodes, animate=False):
        nodes = list(nodes)
        if len(nodes) > 10:
            whole_screen.append(len(nodes))
        return real(self, nodes, animate=animate)

    monkeypatch.setattr(Stylesheet, "update_nodes", counting)
    for size, width_class in (((80, 24), "-normal"), ((60, 20), "-narrow"), ((120, 30), "-wide")):
        whole_screen.clear()
        app = create_app(options(tmp_path, persona="ria"))
        async with app.run_test(size=size) as pilot:
            await wait_for(pilot, lambda: conversation_ready(app))
            await pilot.pause(0.1)
            assert app.screen.has_class(width_class), size
            assert len(whole_screen) == 1, (size, whole_screen)  # and not again when the first line came
