"""Free-text practice in the app (pilot): a typed line that matches, a tie ("Bedoelde u:") answered with a number,
the arrows and the mouse, Esc on the tie, a fallback, assessment mode, and the playtest reload replaying typed
turns exactly. Fixture persona: tests/fixtures/ui/ria.yaml."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "fixtures" / "ui"))

from uisupport import HERE, conversation_ready, options, run_async, wait_for  # noqa: E402

from trainer.ui.app import create_app  # noqa: E402

freetext = pytest.importorskip("trainer.freetext")


@pytest.fixture(autouse=True)
def only_fixture_personas(monkeypatch, tmp_path):
    import trainer.paths

    monkeypatch.setattr(trainer.paths, "shipped_personas_dir", lambda: tmp_path / "no-shipped-personas")
    monkeypatch.delenv("GESPREKSTRAINER_PERSONAS", raising=False)
    monkeypatch.delenv("GESPREKSTRAINER_KEYMAP", raising=False)


@pytest.fixture
def always_tie(monkeypatch):
    """Every line that is not a fallback becomes a tie: the tie flow is tested, not the matcher's tuning."""
    real = freetext.match
    wide = freetext.Settings(tie_margin=1.0, meaning_tie=1.0)
    monkeypatch.setattr(freetext, "match", lambda session, text: real(session, text, wide))


def texts(app, selector: str) -> str:
    return "\n".join(str(w.render()) for w in app.screen.query(selector))


def journal_actions(run) -> list[dict]:
    lines = run.journal.path.read_text().splitlines()
    return [json.loads(line) for line in lines[1:]]


async def type_line(pilot, text: str) -> None:
    """Put the words in the input and press Enter (typing key by key is tested once; it is slow in the pilot)."""
    free = pilot.app.screen.query_one("#free")
    assert pilot.app.focused is free
    free.value = text
    await pilot.press("enter")
    await pilot.pause()


def screen_name(app) -> str:
    return type(app.screen).__name__


@run_async
async def test_typed_line_that_matches(tmp_path):
    app = create_app(options(tmp_path, persona="ria", free_text=True))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: conversation_ready(app))
        assert app.focused.id == "free"
        await pilot.press(*"Wat heeft u gedaan?", "enter")
        run = app.screen.run
        turn = run.session.turns[-1]
        assert turn.choice_id == "begin.1" and turn.typed == "Wat heeft u gedaan?" and turn.match_score > 0.4
        assert "Wat heeft u gedaan?" in texts(app, ".msg.trainee")
        assert "(opgevat als: Wat heeft u gedaan voordat u in de bijstand kwam?)" in texts(app, ".note.read-as")
        assert "twintig jaar in de thuiszorg" in texts(app, ".msg.persona")
        assert app.screen.query_one("#free").value == "" and app.focused.id == "free"
        [event] = journal_actions(run)
        assert event["typed"] == "Wat heeft u gedaan?" and event["choice"] == "begin.1" and "score" in event
        await pilot.press("u")  # typed into the input, not an undo
        assert app.screen.query_one("#free").value == "u" and len(run.session.turns) == 1
        app.screen.query_one("#free").value = ""
        await pilot.press("tab", "1")  # the numbered choices still work
        assert run.session.turns[-1].choice_id == "verleden.1" and run.session.turns[-1].typed is None
        await pilot.press("u")  # undo rebuilds the transcript: the typed turn keeps its note
        await pilot.pause()
        assert len(run.session.turns) == 1 and "opgevat als" in texts(app, ".note.read-as")


@run_async
async def test_tie_asks_and_plays_the_chosen_candidate(tmp_path, always_tie):
    app = create_app(options(tmp_path, persona="ria", free_text=True))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: conversation_ready(app))
        run = app.screen.run
        # number key: the second candidate, not the best-ranked one
        await type_line(pilot, "Wat heeft u gedaan?")
        assert screen_name(app) == "TieScreen" and not run.session.turns
        assert "Bedoelde u:" == app.screen.query_one("#tie-box").border_title
        shown = texts(app, "#tie-typed") + str(app.screen.query_one("#tie-list").get_option_at_index(1).prompt)
        assert "Wat heeft u gedaan?" in shown and "2. Ja, dat is verplicht." in shown
        await pilot.press("2")
        assert screen_name(app) == "ConversationScreen"
        turn = run.session.turns[-1]
        assert turn.choice_id == "begin.2" and turn.typed == "Wat heeft u gedaan?"
        assert "(opgevat als: Ja, dat is verplicht." in texts(app, ".note.read-as")
        assert app.focused.id == "free"
        # arrows + Enter: down, up, Enter is the first candidate; a confirmed choice keeps its own pick-up
        await type_line(pilot, "Twintig jaar in de zorg")
        assert screen_name(app) == "TieScreen"
        await pilot.press("down", "up", "enter")
        assert run.session.turns[-1].choice_id == "verleden.1"
        assert "zorg" in run.session.turns[-1].picks_up
        assert journal_actions(run)[-1]["own_picks"] == ["zorg"]
        # mouse: a click on the second row of the list
        await type_line(pilot, "Zullen we het er volgende keer over hebben?")
        assert screen_name(app) == "TieScreen"
        second = app.screen.candidates[1].id
        await pilot.click("#tie-list", offset=(4, 1))
        await pilot.pause()
        assert screen_name(app) == "ConversationScreen" and run.session.turns[-1].choice_id == second
        assert [e["typed"] for e in journal_actions(run)] == [
            "Wat heeft u gedaan?", "Twintig jaar in de zorg", "Zullen we het er volgende keer over hebben?"]


@run_async
async def test_escape_on_the_tie_gives_the_words_back(tmp_path, always_tie):
    app = create_app(options(tmp_path, persona="ria", free_text=True))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: conversation_ready(app))
        await type_line(pilot, "Wat heeft u gedaan?")
        assert screen_name(app) == "TieScreen"
        await pilot.press("escape")
        await pilot.pause()
        assert screen_name(app) == "ConversationScreen"
        free = app.screen.query_one("#free")
        assert free.value == "Wat heeft u gedaan?" and app.focused is free and free.cursor_position == len(free.value)
        assert not app.screen.run.session.turns and journal_actions(app.screen.run) == []
        await pilot.press("backspace", "enter")  # edit and send again: asked again
        assert screen_name(app) == "TieScreen" and app.screen.typed == "Wat heeft u gedaan"


@run_async
async def test_fallback_shows_the_persona_asking_back(tmp_path):
    app = create_app(options(tmp_path, persona="ria", free_text=True))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: conversation_ready(app))
        run = app.screen.run
        await type_line(pilot, "Mooi weer vandaag")
        turn = run.session.turns[-1]
        assert turn.choice_id is None and turn.typed == "Mooi weer vandaag" and run.session.state.node == "begin"
        messages = list(app.screen.query(".msg"))
        assert str(messages[-2].render()).endswith("Mooi weer vandaag")
        assert str(messages[-1].render()) == f"Ria: {turn.reply}" and turn.reply
        assert "(niet herkend als een van de keuzes)" in texts(app, ".note.read-as")
        assert "Wat heeft u gedaan" in str(app.screen.query_one("#choices").get_option_at_index(0).prompt)
        [event] = journal_actions(run)
        assert event["type"] == "fallback" and event["typed"] == "Mooi weer vandaag"


@run_async
async def test_assessment_shows_no_read_as_note(tmp_path):
    app = create_app(options(tmp_path, persona="ria", free_text=True, mode="assessment"))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: conversation_ready(app))
        await type_line(pilot, "Wat heeft u gedaan?")
        await type_line(pilot, "Mooi weer vandaag")
        assert len(app.screen.run.session.turns) == 2
        assert not app.screen.query(".note.read-as")
        assert "opgevat" not in texts(app, "Static") and "niet herkend" not in texts(app, "Static")


@run_async
async def test_playtest_reload_replays_typed_turns_exactly(tmp_path):
    persona = tmp_path / "ria.yaml"
    shutil.copy(HERE / "ria.yaml", persona)
    app = create_app(options(tmp_path, persona=str(persona), free_text=True, debug=True, reload_interval=0.05))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: conversation_ready(app))
        old = app.screen.run
        # typed turns with what the matcher decided (own_picks=() is a weak match that does not earn the cue)
        old.choose("begin.1", typed="Wat deed u hiervoor?", score=0.33)
        old.choose("verleden.1", typed="Twintig jaar, knap", score=0.21, own_picks=())
        old.fallback("Mooi weer vandaag", codes=("question",), extra_picks=("zorg",))
        old.choose("keuze.2")  # ends the conversation ('mee')
        before = [(t.choice_id, t.typed, t.match_score, t.picks_up, t.trust_after) for t in old.session.turns]
        assert before[1][3] == ()

        persona.write_text(persona.read_text().replace("Tot mijn rug het opgaf.", "Tot mijn knie het opgaf."))
        await wait_for(pilot, lambda: app.screen.run is not old)
        run = app.screen.run
        assert run.journal.path == old.journal.path
        assert [(t.choice_id, t.typed, t.match_score, t.picks_up, t.trust_after) for t in run.session.turns] == before
        assert run.session.ended and "knie" in texts(app, ".msg")

        # turn 4's choice is gone now: replay stops there, a new journal keeps turns 1-3 with every field
        old = run
        persona.write_text(persona.read_text().replace(
            "      - text: Er is plek bij de voedselbank.", "      - id: nieuw\n        text: Er is plek bij de voedselbank."))
        await wait_for(pilot, lambda: app.screen.run is not old)
        run = app.screen.run
        assert run.journal.path != old.journal.path and len(run.session.turns) == 3 and not run.session.ended
        assert [(t.choice_id, t.typed, t.match_score, t.picks_up) for t in run.session.turns] == [b[:4] for b in before[:3]]
        events = journal_actions(run)
        assert events[0]["typed"] == "Wat deed u hiervoor?" and events[0]["score"] == 0.33
        assert events[1]["own_picks"] == [] and events[1]["typed"] == "Twintig jaar, knap"
        assert events[2]["type"] == "fallback" and events[2]["codes"] == ["question"] and events[2]["picks"] == ["zorg"]
        assert "Beurt 4 past niet meer" in str(app.screen.query_one("#debug").render())
        # the new journal resumes to the same state
        from trainer.engine.journal import open_session

        again = open_session(run.journal.path, persona_dirs=[str(tmp_path)], for_append=False).session
        assert [t.picks_up for t in again.turns] == [t.picks_up for t in run.session.turns]
