"""Pilot tests of the terminal app (App.run_test): play to the debrief with the keyboard, undo, modes, save and
resume, start screen, help, keymap, playtest reload, errors, resizing. Fixture persona: tests/fixtures/ui/ria.yaml."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "fixtures" / "ui"))

from uisupport import HERE, conversation_ready, debrief_ready, options, run_async, wait_for  # noqa: E402

from trainer.ui.app import create_app  # noqa: E402
from trainer.ui.exporting import find_exporter  # noqa: E402


@pytest.fixture(autouse=True)
def only_fixture_personas(monkeypatch, tmp_path):
    """The start screen lists the fixture personas only, whatever is shipped or in the environment."""
    import trainer.paths

    monkeypatch.setattr(trainer.paths, "shipped_personas_dir", lambda: tmp_path / "no-shipped-personas")
    monkeypatch.delenv("GESPREKSTRAINER_PERSONAS", raising=False)
    monkeypatch.delenv("GESPREKSTRAINER_KEYMAP", raising=False)


def texts(app, selector: str) -> str:
    return "\n".join(str(w.render()) for w in app.screen.query(selector))


@run_async
async def test_play_to_debrief_with_keyboard(tmp_path):
    app = create_app(options(tmp_path, persona="ria"))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: conversation_ready(app))
        assert "Ik kreeg een brief" in texts(app, ".msg")
        await pilot.press("1", "1", "1")
        run = app.screen.run
        assert run.session.ended and run.session.outcome == "own_choice"
        assert "Misschien kan ik iets in een buurthuis doen" in texts(app, ".msg")
        assert "vertrouwen +8" in texts(app, ".note.change")
        await pilot.press("1")  # the only option now: to the debrief
        await wait_for(pilot, lambda: debrief_ready(app))
        assert "Eigen keuze afgesproken" in texts(app, "#outcome")
        assert "Trots op twintig jaar zorg" in texts(app, ".section") or "zorg" in texts(app, ".section")


@run_async
async def test_arrows_enter_and_mouse_choose(tmp_path):
    app = create_app(options(tmp_path, persona="ria"))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: conversation_ready(app))
        await pilot.press("down", "enter")  # choice 2
        assert app.screen.run.session.turns[-1].choice_id == "begin.2"
        await pilot.click("#choices", offset=(4, 1))  # first option row, inside the border
        await pilot.pause()
        assert app.screen.run.session.turns[-1].choice_id == "verleden.1"


@run_async
async def test_undo_in_practice_restores_meters(tmp_path):
    app = create_app(options(tmp_path, persona="ria"))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: conversation_ready(app))
        await pilot.press("2")
        s = app.screen.run.session
        assert s.state.trust == 25
        await pilot.press("u")
        await pilot.pause()
        assert not s.turns and s.state.trust == 40
        assert "Ja, dat is verplicht" not in texts(app, ".msg")
        assert app.screen.query_one("#side").styles.display == "block"


@run_async
async def test_assessment_hides_meters_and_refuses_undo(tmp_path):
    app = create_app(options(tmp_path, persona="ria", mode="assessment"))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: conversation_ready(app))
        assert app.screen.query_one("#side").styles.display == "none"
        await pilot.press("2", "u", "ctrl+z")
        await pilot.pause()
        assert len(app.screen.run.session.turns) == 1
        assert not app.screen.query(".note.change") or not any(n.display for n in app.screen.query(".note.change"))
        assert "vertrouwen" not in str(app.screen.query_one("#topbar").render())


@run_async
async def test_save_quit_and_resume(tmp_path):
    app = create_app(options(tmp_path, persona="ria", trainee="Sam"))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: conversation_ready(app))
        await pilot.press("1")
        sid = app.screen.run.session_id
        await pilot.press("q")
    assert app.exit_lines and sid in app.exit_lines[0] and "--resume" in app.exit_lines[0]
    again = create_app(options(tmp_path, resume=""))
    async with again.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: conversation_ready(again))
        run = again.screen.run
        assert run.session_id == sid and len(run.session.turns) == 1 and run.header["trainee"] == "Sam"
        assert "twintig jaar in de thuiszorg" in texts(again, ".msg")
        await pilot.press("1", "1")
        assert run.session.ended


@run_async
async def test_start_screen_search_name_mode_and_resume_list(tmp_path):
    extra = tmp_path / "more"
    extra.mkdir()
    text = (HERE / "ria.yaml").read_text().replace("id: ria", "id: bas").replace("name: Ria", "name: Bas")
    (extra / "bas.yaml").write_text(text.replace("situation: Werkte", "situation: Bas werkte"))
    app = create_app(options(tmp_path, persona_dirs=[str(HERE), str(extra)]))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: len(getattr(app.screen, "cards", [])) == 3)
        personas = app.screen.query_one("#personas")
        assert personas.option_count == 3
        await pilot.press("slash")
        await pilot.press(*"bas")
        assert personas.option_count == 1 and app.screen.selected_persona() == "bas"
        await pilot.press("enter")  # from the search field to the list
        assert app.focused.id == "personas"
        app.screen.query_one("#trainee").value = "km-07"
        app.screen.query_one("#mode-assessment").value = True
        await pilot.press("enter")
        await wait_for(pilot, lambda: conversation_ready(app))
        header = app.screen.run.header
        assert header["persona"] == "bas" and header["trainee"] == "km-07" and header["mode"] == "assessment"
        await pilot.press("1", "q")
    app = create_app(options(tmp_path, persona_dirs=[str(HERE), str(extra)]))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: len(getattr(app.screen, "cards", [])) == 3)
        resume = app.screen.query_one("#resume")
        assert resume.display and resume.option_count == 1
        resume.focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: conversation_ready(app))
        assert len(app.screen.run.session.turns) == 1


@run_async
async def test_help_keys_and_palette_commands(tmp_path):
    app = create_app(options(tmp_path, persona="ria"))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: conversation_ready(app))
        await pilot.press("f1")
        assert type(app.screen).__name__ == "HelpScreen"
        from trainer.ui.keys import help_rows

        shown = str(help_rows("nl", {}))
        for words in ("Ongedaan maken", "Opslaan en stoppen", "Exporteer JSON", "Terugkijken", "1–9"):
            assert words in shown
        await pilot.press("escape")
        assert type(app.screen).__name__ == "ConversationScreen"
        await pilot.press("question_mark")
        assert type(app.screen).__name__ == "HelpScreen"
        await pilot.press("escape")
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Help" in titles and "Opslaan en stoppen" in titles and "Thema" in titles
        await pilot.press("ctrl+p")
        assert type(app.screen).__name__ == "CommandPalette"
        await pilot.press("escape", "ctrl+c")  # ctrl+c does not quit: it says how to (no crash)
        assert app.is_running


@run_async
async def test_user_keymap_remaps_by_binding_id(tmp_path):
    keymap = tmp_path / "keymap.toml"
    keymap.write_text('undo = "z"\nchoose-1 = "a"\nnot-a-binding = "x"\n')
    app = create_app(options(tmp_path, persona="ria", keymap_path=keymap))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: conversation_ready(app))
        assert app.keymap_problems and "not-a-binding" in app.keymap_problems[0]
        await pilot.press("a")
        assert len(app.screen.run.session.turns) == 1
        await pilot.press("z")
        assert not app.screen.run.session.turns


@run_async
async def test_english_interface(tmp_path):
    app = create_app(options(tmp_path, persona="ria", lang="en"))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: conversation_ready(app))
        await pilot.press("1")
        assert "You: " in texts(app, ".msg.trainee")
        assert "trust +8" in texts(app, ".note.change")
        assert "practice" in str(app.screen.query_one("#topbar").render())
        descriptions = {b.binding.description for b in app.screen.active_bindings.values()}
        assert "Undo" in descriptions and "Save and quit" in descriptions


@run_async
async def test_resizing_never_crashes(tmp_path):
    app = create_app(options(tmp_path, persona="ria"))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: conversation_ready(app))
        await pilot.press("1")
        for size in ((20, 8), (200, 60), (80, 24)):
            await pilot.resize_terminal(*size)
            await pilot.pause()
        assert app.screen.query_one("#side").styles.display == "block"  # back at 80 columns: side panel
        await pilot.resize_terminal(60, 20)
        await pilot.pause()
        assert "vertrouwen 48" in str(app.screen.query_one("#topbar").render())  # narrow: meters in the top bar
        assert app.screen.query_one("#side").styles.display == "none"
        await pilot.press("1", "1", "1")
        await wait_for(pilot, lambda: debrief_ready(app))
        for size in ((40, 12), (120, 40)):
            await pilot.resize_terminal(*size)
            await pilot.pause()


@run_async
async def test_broken_persona_shows_diagnostics_not_a_crash(tmp_path):
    broken = tmp_path / "stuk.yaml"
    broken.write_text((HERE / "ria.yaml").read_text().replace("id: ria", "id: stuk").replace("next: eigen", "next: nergens"))
    app = create_app(options(tmp_path, persona=str(broken)))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ErrorScreen")
        assert "KM021" in texts(app, "#error-text")
        await pilot.press("n")
        await pilot.pause()
        assert type(app.screen).__name__ == "StartScreen"


@run_async
async def test_playtest_reloads_persona_and_shows_errors(tmp_path):
    persona = tmp_path / "ria.yaml"
    shutil.copy(HERE / "ria.yaml", persona)
    app = create_app(options(tmp_path, persona=str(persona), debug=True, reload_interval=0.05))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: conversation_ready(app))
        assert "begin.1" in str(app.screen.query_one("#choices").get_option_at_index(0).prompt)
        assert "node: begin" in str(app.screen.query_one("#debug").render())
        await pilot.press("1")
        persona.write_text(persona.read_text().replace("Tot mijn rug het opgaf.", "Tot mijn knie het opgaf."))
        await wait_for(pilot, lambda: "knie" in texts(app, ".msg"))
        assert len(app.screen.run.session.turns) == 1
        persona.write_text(persona.read_text().replace("next: keuze", "next: nergens", 1))
        await wait_for(pilot, lambda: app.screen.query_one("#diagnostics").display)
        assert "KM021" in str(app.screen.query_one("#diagnostics").render())
        await pilot.press("1")  # still playing on the previous version
        assert len(app.screen.run.session.turns) == 2
        # a fixed file whose first turn's choice is gone: replay stops there and continues in a new journal
        persona.write_text((HERE / "ria.yaml").read_text().replace(
            "      - text: Wat heeft u gedaan voordat u in de bijstand kwam?", "      - id: nieuw\n        text: Wat deed u?"))
        await wait_for(pilot, lambda: not app.screen.query_one("#diagnostics").display)
        assert len(app.screen.run.session.turns) == 0
        assert "Wat deed u?" in str(app.screen.query_one("#choices").get_option_at_index(0).prompt)


@run_async
async def test_replay_and_disabled_exports(tmp_path, monkeypatch):
    import trainer.ui.exporting as exporting

    monkeypatch.setattr(exporting, "EXPORTERS", {})
    app = create_app(options(tmp_path, persona="ria"))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: conversation_ready(app))
        await pilot.press("1", "2", "1", "1")
        await wait_for(pilot, lambda: debrief_ready(app))
        button = app.screen.query_one("#export-json")
        assert button.disabled and button.tooltip
        await pilot.press("j")  # disabled: nothing happens, no crash
        await pilot.press("r")
        assert type(app.screen).__name__ == "ReplayScreen"
        await pilot.press("right", "right")
        assert app.screen.step == 2
        await pilot.press("escape")
        await pilot.press("n")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "StartScreen")


@run_async
async def test_export_buttons_write_next_to_the_session(tmp_path, monkeypatch):
    import trainer.ui.exporting as exporting

    calls = []

    def fake(run, lang, path, persona_dirs, analyser):
        calls.append((run.session.ended, lang, path))
        path.write_text("{}")

    monkeypatch.setattr(exporting, "EXPORTERS", {"json": fake, "html": fake})
    app = create_app(options(tmp_path, persona="ria"))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: conversation_ready(app))
        await pilot.press("1", "1", "1", "1")
        await wait_for(pilot, lambda: debrief_ready(app))
        assert not app.screen.query_one("#export-json").disabled
        await pilot.press("j")
        await pilot.click("#export-html")
        await wait_for(pilot, lambda: len(calls) == 2)
    paths = sorted(c[2].name for c in calls)
    assert [p.rsplit(".", 1)[1] for p in paths] == ["html", "json"]
    assert all(ended and lang == "nl" and path.exists() and path.parent.name == "exports" for ended, lang, path in calls)


@pytest.mark.skipif(find_exporter("json") is None or find_exporter("html") is None,
                    reason="trainer.export is not there yet")
def test_real_exports_of_a_played_session(tmp_path):
    """The real trainer.export, on a session played in the app (no analyser, so the fixture stays stable)."""
    import json as jsonlib

    from trainer.engine.runner import Run
    from trainer.ui.exporting import export

    run = Run.start("ria", tmp_path / "sessions", None, persona_dirs=[str(HERE)], trainee="Sam")
    for n in (1, 1, 1):
        run.choose(n)
    path = export("json", run, "nl", persona_dirs=[str(HERE)])
    data = jsonlib.loads(path.read_text())
    assert data["session_id"] == run.session_id and data["outcome"] == "own_choice"
    html = export("html", run, "en", persona_dirs=[str(HERE)]).read_text()
    assert "<html" in html.lower() and "Ria" in html


@run_async
async def test_free_text_practice(tmp_path):
    from trainer.wiring import free_text_step

    if free_text_step() is None:
        pytest.skip("the free-text matcher (trainer.freetext) is not there yet")
    app = create_app(options(tmp_path, persona="ria", free_text=True))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: conversation_ready(app))
        assert app.focused.id == "free"
        await pilot.press(*"Wat voor werk deed u hiervoor?", "enter")
        run = app.screen.run
        assert len(run.session.turns) == 1 and run.session.turns[0].typed == "Wat voor werk deed u hiervoor?"
        assert "Wat voor werk deed u hiervoor?" in texts(app, ".msg.trainee")
        assert "opgevat als" in texts(app, ".note.read-as") or "niet herkend" in texts(app, ".note.read-as")
        await pilot.press("tab")  # to the numbered choices: number keys work again
        await pilot.press("1")
        assert len(run.session.turns) == 2
        if not run.session.ended:  # typing a choice's number in the field picks that choice, as in plain mode
            expected = run.session.open_choices()[0].choice.text
            app.screen.query_one("#free").focus()
            await pilot.press("1", "enter")
            assert len(run.session.turns) == 3 and run.session.turns[2].choice_text == expected
            assert run.session.turns[2].typed is None


@run_async
async def test_light_theme_and_debrief_that_cannot_be_built(tmp_path):
    def broken(session, lang):
        raise RuntimeError("debrief kapot")

    app = create_app(options(tmp_path, persona="ria", debrief_builder=broken))
    async with app.run_test(size=(80, 24)) as pilot:
        app.theme = "textual-light"
        await wait_for(pilot, lambda: conversation_ready(app))
        await pilot.press("1", "1", "1", "1")
        await wait_for(pilot, lambda: debrief_ready(app))
        shown = texts(app, ".section")
        assert "niet beschikbaar" in shown and "debrief kapot" in shown
        assert "Eigen keuze afgesproken" in texts(app, "#outcome")  # the outcome still comes from the session
        app.save_screenshot(str(tmp_path / "light.svg"))


def test_every_binding_has_an_id_and_a_description():
    from trainer.i18n import STRINGS
    from trainer.ui.keys import SCOPES, bindings

    ids = [k.id for keys in SCOPES.values() for k in keys]
    assert all(ids)
    for scope in SCOPES:
        for lang in ("nl", "en"):
            for b in bindings(scope, lang):
                assert b.id and b.description and b.description not in STRINGS  # translated, not a bare key


def test_cli_reports_unknown_persona_and_missing_session_before_opening(tmp_path, capsys):
    from trainer.cli import main

    assert main(["play", "niemand", "--sessions", str(tmp_path)]) == 1
    assert "unknown persona 'niemand'" in capsys.readouterr().err
    assert main(["play", "--resume", "--sessions", str(tmp_path)]) == 1
    assert "cannot find an unfinished session" in capsys.readouterr().err


@run_async
async def test_cue_tips_are_a_choice_and_meter_reasons_show_once(tmp_path):
    """Practice shows a tip for the cue a line offers (beginners); --no-tips (advanced practice) and the start
    screen's checkbox switch it off, and the choice is kept in the session. Meter reasons are in the transcript
    only, not repeated in the side panel; the opening narration is the scene, not a second description."""
    app = create_app(options(tmp_path, persona="ria"))
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: conversation_ready(app))
        assert app.screen.run.session.persona.moods and not app.screen.query(".note.mood")
        await pilot.press("1")
        await pilot.pause()
        assert "Tip:" in texts(app, "#hint")
        assert app.screen.run.header["tips"] is True
        assert not app.screen.query("#reasons") and app.screen.query(".note.change")
    app = create_app(options(tmp_path, persona="ria", tips=False))
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: conversation_ready(app))
        await pilot.press("1")
        await pilot.pause()
        assert texts(app, "#hint").strip() == ""
        assert app.screen.run.header["tips"] is False
        assert app.screen.query_one("#m-trust").display  # meters stay: this is still practice
    app = create_app(options(tmp_path, persona_dirs=[str(HERE)]))
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: len(getattr(app.screen, "cards", [])) >= 1)
        tips = app.screen.query_one("#tips")
        assert tips.value and not tips.disabled
        app.screen.query_one("#mode-assessment").value = True
        await pilot.pause()
        assert tips.disabled and not tips.value


@run_async
async def test_a_failed_save_is_said_and_the_turn_can_be_tried_again(tmp_path, monkeypatch):
    import errno
    import os

    app = create_app(options(tmp_path, persona="ria"))
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: conversation_ready(app))
        real_write = os.write
        monkeypatch.setattr(os, "write", lambda fd, data: (_ for _ in ()).throw(OSError(errno.ENOSPC, "full")))
        seen = []
        monkeypatch.setattr(app.screen, "notify", lambda message, **kw: seen.append(message))
        await pilot.press("1")
        await pilot.pause()
        assert len(app.screen.run.session.turns) == 0
        assert seen and "trainer play --resume" in seen[-1] and "niet worden opgeslagen" in seen[-1]
        monkeypatch.setattr(os, "write", real_write)
        await pilot.press("1")
        await pilot.pause()
        assert len(app.screen.run.session.turns) == 1
        assert app.screen.query_one("#free").max_length == 2000
