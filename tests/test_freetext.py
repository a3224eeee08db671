"""Free-text practice: matcher decisions, meters and debrief on the typed words, cue pick-ups, journal round trips,
plain mode end to end, `trainer match`, and the measured quality on the evaluation sets."""

import json
import subprocess
from pathlib import Path

import pytest

from conftest import subprocess_env, trainer_cmd
from trainer.engine.journal import open_session, read_journal
from trainer.engine.runner import Run
from trainer.engine.session import Session
from trainer.engine.testplan import Plan, run_plan
from trainer.freetext import STRONG_MATCH, Settings, index_for, match, own_picks, play, play_typed, prepare, typed_picks
from trainer.freetext.evaluate import eval_files, evaluate, figures, load_eval
from trainer.freetext.matcher import content_key
from trainer.freetext.text import content_stems, pattern_matches, word_features
from trainer.persona.loader import load_persona
from trainer.persona.registry import resolve
from trainer.wiring import default_analyser, free_text_step

VERA = """\
id: vera
name: Vera
age: 50
situation: Testpersona voor vrije tekst.
summary: Een kleine persona om de matcher mee te testen.
scene: Een kort gesprek op kantoor.
facts:
  - text: Bestaat alleen voor tests.
    sources: ["tests"]
meters: {trust: 40, motivation: 40}
sensitivities:
  obligation: {trust: -10, motivation: -6}
cues:
  - id: werkleven
    kind: past_work
    label: Dertig jaar gewerkt
    why: Wie het werkverleden serieus neemt, geeft eerherstel een kans.
    source: tests
    pickups: ["Dertig jaar gewerkt. Wat deed u?"]
    patterns: ["dertig jaar", "werkleven", "vakvrouw", "gewerkt"]
  - id: brief
    kind: feeling
    label: De oproepbrief steekt
    why: Erkennen dat de brief pijn deed.
    source: tests
    pickups: ["Die brief heeft u geraakt."]
    patterns: ["brief", "oproep"]
start: begin
fallback: Wat bedoelt u?
fallback_effects: {trust: -2}
nodes:
  - id: begin
    say: Dertig jaar heb ik gewerkt, en dan krijg je zo'n brief.
    offers: [werkleven, brief]
    choices:
      - id: werk
        text: Dertig jaar gewerkt. Wat voor werk deed u?
        codes: [simple_reflection, question]
        picks_up: [werkleven]
        effects: {trust: 5}
        next: midden
        examples: ["Wat heeft u al die jaren gedaan?", "Vertel eens over uw werk van vroeger."]
      - id: plan
        text: Zullen we het over uw participatieplan hebben?
        codes: [question]
        effects: {trust: 1}
        next: midden
        examples: ["Laten we naar het plan kijken.", "Wat zetten we in het plan?"]
      - id: verplicht
        text: U dient gewoon mee te werken.
        codes: [confront]
        controlling: true
        effects: {trust: -3}
        next: midden
        examples: ["Meewerken is verplicht."]
  - id: midden
    say: Nou. Hoe gaat het verder?
    fallback: Daar snap ik niks van.
    choices:
      - id: hoe_nu
        text: Hoe gaat het nu met u?
        codes: [question]
        next: slot
        examples: ["Hoe is het?"]
      - id: hoe_thuis
        text: Hoe gaat het thuis met u?
        codes: [question]
        next: slot
        examples: ["Hoe is het?"]
      - id: afronden
        text: Dan ronden we af en spreken we volgende maand weer af.
        codes: [giving_information]
        next: klaar
  - id: slot
    say: Goed.
    choices:
      - {id: af, text: "Dan ronden we af.", codes: [giving_information], next: klaar,
         examples: ["We stoppen ermee voor vandaag."]}
endings:
  - {id: klaar, outcome: own_choice, say: Tot ziens.}
"""

OFF_TOPIC = "De lift is kapot"


@pytest.fixture
def vera_path(tmp_path) -> Path:
    path = tmp_path / "personas" / "vera.yaml"
    path.parent.mkdir()
    path.write_text(VERA, encoding="utf-8")
    return path


@pytest.fixture
def vera(vera_path):
    return load_persona(vera_path).persona


def _session(persona, **kw) -> Session:
    return Session(persona, analyser=default_analyser(), **kw)


def _henk():
    return load_persona(resolve("henk")).persona


# --- normalisation ---------------------------------------------------------------------------------------------

def test_normalisation_folds_case_accents_pronouns_and_keeps_negations():
    assert content_stems("Hoe gaat het met U?") == content_stems("hoe gaat het met je")
    negated = word_features("Een cursus is niet nodig")
    assert "_niet" in negated and any(f.startswith("_niet_") for f in negated)  # "niet" glued to "nodig"
    assert not any(f.startswith("_niet") for f in word_features("Een cursus is nodig"))
    assert content_stems("Ik regel het") != content_stems("U regelt het")  # ik/u stay apart
    assert content_stems("één idee") == content_stems("een idee")
    assert pattern_matches("afmaak", "Hij maakt het af, hij afmaakt alles") and pattern_matches(
        "jaren dertig", "In de Jaren Dertig was het anders")
    assert not pattern_matches("brief", "een abrief")


# --- decisions -------------------------------------------------------------------------------------------------

def test_clear_match_on_a_shipped_persona():
    session = _session(_henk())
    result = match(session, "je voelt je een beetje een nummer, zo uit een lijstje geplukt")
    assert result.kind == "match" and result.best.id == "opening.2"
    assert result.candidates == (result.best,) and 0 < result.score <= 1
    assert [c.id for c in result.ranked][0] == "opening.2" and len(result.ranked) == len(session.open_choices())


def test_off_topic_line_falls_back_and_keeps_the_node(vera):
    session = _session(vera)
    result = match(session, OFF_TOPIC)
    assert result.kind == "fallback" and result.candidates == ()
    turn = play(session, result)
    assert turn.choice_id is None and turn.typed == OFF_TOPIC and session.state.node == "begin"
    assert turn.reply == "Wat bedoelt u?" and turn.trust_after == 40 - 2


def test_node_fallback_line_is_used(vera):
    session = _session(vera, start="midden")
    turn = play(session, match(session, OFF_TOPIC))
    assert turn.reply == "Daar snap ik niks van." and session.state.node == "midden"


def test_filler_only_falls_back():
    session = _session(_henk())
    for text in ("hmm", "ok", "   "):
        assert match(session, text).kind == "fallback"


def test_line_that_belongs_to_another_moment_falls_back():
    session = _session(_henk(), start="sanctie")
    result = match(session, "Wat voor werk heeft u gedaan?")
    assert result.kind == "fallback"


def test_near_tie_asks_which_was_meant(vera):
    session = _session(vera, start="midden")
    result = match(session, "hoe is het")
    assert result.kind == "tie"
    assert {c.id for c in result.candidates} == {"hoe_nu", "hoe_thuis"}
    turn = play(session, result, choice="hoe_thuis")  # the trainee picked number 2
    assert turn.choice_id == "hoe_thuis" and turn.typed == "hoe is het"


def test_match_result_serialises(vera):
    data = match(_session(vera), "Wat voor werk deed u al die dertig jaar?").to_dict()
    assert data["kind"] == "match" and data["best"]["id"] == "werk" and json.dumps(data)


# --- the typed words drive meters and debrief --------------------------------------------------------------------

def test_typed_controlling_words_move_meters_even_on_a_neutral_choice(vera):
    session = _session(vera)
    typed = "Wat zetten we in het plan? U bent verplicht om mee te doen."
    result = match(session, typed)
    assert result.kind == "match" and result.best.id == "plan"  # the neutral choice (+1 trust)
    turn = play(session, result)
    assert "obligation" in turn.detected
    assert {e.source for e in turn.effects} >= {"choice", "sensitivity:obligation"}
    assert turn.trust_after == 40 + 1 - 10 and turn.motivation_after == 40 - 6
    assert turn.trainee_line == typed and turn.choice_text.startswith("Zullen we")

    from trainer.debrief.build import build_debrief

    flags = build_debrief(session).flags
    assert any(f.category == "obligation" and f.text == typed for f in flags)  # in the trainee's own words


def test_authored_choice_played_by_number_is_unchanged(vera):
    session = _session(vera)
    turn = session.choose("werk")
    assert turn.typed is None and turn.picks_up == ("werkleven",)


# --- cue pick-ups on the typed words ------------------------------------------------------------------------------

def test_typed_words_pick_up_an_offered_cue(vera):
    session = _session(vera)
    turn = play_typed(session, "Die brief heeft u echt geraakt, hè?")
    assert "brief" in turn.picks_up
    assert "werkleven" not in turn.picks_up  # nothing in these words addresses the working life


def test_naming_a_cue_in_a_controlling_line_is_not_a_pickup(vera):
    session = _session(vera)
    turn = play_typed(session, "Zo'n brief krijgt iedereen, u moet gewoon meewerken.")
    assert "brief" not in turn.picks_up


def test_cue_from_the_line_before_still_counts(vera):
    session = _session(vera)
    play_typed(session, "Wat voor werk deed u al die dertig jaar?")  # -> midden, which offers nothing
    assert session.state.node == "midden"
    turn = play_typed(session, "Die oproepbrief, hoe was dat voor u?")
    assert "brief" in turn.picks_up


def test_own_picks_rule(vera):
    from trainer.debrief.analyser import analyse

    session = _session(vera)
    choice = next(c for c in vera.nodes[0].choices if c.id == "werk")
    plain_q = "Wat deed u?"
    assert own_picks(session, choice, plain_q, analyse(plain_q), score=STRONG_MATCH - 0.1) == ()
    assert own_picks(session, choice, plain_q, analyse(plain_q), score=STRONG_MATCH) == ("werkleven",)
    assert own_picks(session, choice, plain_q, analyse(plain_q), score=0.1, confirmed=True) == ("werkleven",)
    worded = "U heeft dertig jaar gewerkt, wat deed u?"
    assert own_picks(session, choice, worded, analyse(worded), score=0.1) == ("werkleven",)
    bossy = "U heeft dertig jaar gewerkt, dus u moet nu gewoon meedoen."
    assert own_picks(session, choice, bossy, analyse(bossy), score=0.9) == ()
    assert typed_picks(session, bossy, analyse(bossy)) == ()


def test_strong_match_keeps_the_choices_pickup(vera):
    session = _session(vera)
    turn = play_typed(session, "Wat voor werk deed u al die dertig jaar?")
    assert turn.choice_id == "werk" and "werkleven" in turn.picks_up


# --- journal, resume, test plans ---------------------------------------------------------------------------------

def test_journal_round_trip_with_typed_turns(vera_path, tmp_path):
    run = Run.start(str(vera_path), tmp_path / "sessions", default_analyser(), free_text=True)
    play_typed(run.session, OFF_TOPIC, run=run)                                      # fallback
    play_typed(run.session, "Die brief heeft u echt geraakt, hè?", run=run)  # fits no choice; typed pick-up
    play_typed(run.session, "Wat deed u voor werk, al die jaren?", run=run)     # a match
    tie = match(run.session, "hoe is het", Settings(meaning_tie=1.0, meaning_below=0.0))  # force the tie flow
    assert tie.kind == "tie"
    play(run, tie, choice="hoe_thuis")                                               # tie, trainee picked
    events = read_journal(run.journal.path).events
    assert [e["type"] for e in events] == ["fallback", "fallback", "choose", "choose"]
    assert events[0]["typed"] == OFF_TOPIC and events[0]["choice"] is None and events[0]["codes"] == []
    assert "brief" in events[1]["picks"] and events[1]["act"]
    assert events[2]["choice"] == "werk" and "score" in events[2] and events[2]["codes"]
    assert events[3]["choice"] == "hoe_thuis" and events[3]["typed"] == "hoe is het"

    resumed = open_session(run.journal.path, default_analyser())
    assert resumed.session.turns == run.session.turns
    assert resumed.session.state == run.session.state
    # resuming replays the recorded decisions; the matcher is not consulted again
    play_typed(resumed.session, "We stoppen ermee voor vandaag.", run=Run(resumed.session, resumed.journal,
                                                                          resumed.loaded, resumed.data.header))
    assert resumed.session.ended and resumed.session.outcome == "own_choice"
    final = open_session(run.journal.path, default_analyser())
    assert final.session.turns == resumed.session.turns


def test_debrief_and_export_keep_typed_text_and_match(vera_path, tmp_path):
    run = Run.start(str(vera_path), tmp_path / "sessions", default_analyser(), free_text=True)
    play_typed(run.session, "Wat voor werk deed u al die dertig jaar?", run=run)
    turn = run.session.turns[-1]
    assert turn.typed and turn.choice_id == "werk" and turn.match_score is not None
    opened = open_session(run.journal.path, default_analyser(), for_append=False)
    again = opened.session.turns[-1]
    assert (again.typed, again.choice_id, again.match_score) == (turn.typed, "werk", turn.match_score)


def test_test_plan_type_steps_and_round_trip(vera_path, tmp_path):
    plan = Plan(str(vera_path), str(vera_path), "typed", [
        {"type": "Wat voor werk deed u al die dertig jaar?"}, {"node": "midden"},
        {"type": OFF_TOPIC}, {"node": "midden"},
        {"type": "Dan ronden we af, volgende maand spreken we weer af."},
    ], {"outcome": "own_choice"})
    persona = load_persona(vera_path).persona
    straight = Session(persona, analyser=default_analyser())
    assert run_plan(plan, straight, free_text=free_text_step()).passed

    run = Run.start(str(vera_path), tmp_path / "s", default_analyser())
    step = free_text_step(run)
    for s in plan.steps:
        if "type" in s:
            step(run.session, s["type"])
    resumed = open_session(run.journal.path, default_analyser())
    assert resumed.session.turns == straight.turns and resumed.session.state == straight.state


# --- plain mode and the CLI --------------------------------------------------------------------------------------

def _play(args, text, tmp_path):
    return subprocess.run(trainer_cmd("play", *args, "--plain", "--free", "--sessions", str(tmp_path / "sessions")),
                          input=text, capture_output=True, text=True, env=subprocess_env(), timeout=60)


def test_plain_free_end_to_end(vera_path, tmp_path):
    lines = ["Wat voor werk deed u al die dertig jaar?", OFF_TOPIC, "hoe is het", "jawel", "hoe is het", "2", "q"]
    proc = _play([str(vera_path)], "\n".join(lines) + "\n", tmp_path)
    out = proc.stdout
    assert proc.returncode == 0, proc.stderr
    assert "(opgevat als: Dertig jaar gewerkt. Wat voor werk deed u?)" in out
    assert "Vera: Daar snap ik niks van." in out                      # the node's fallback line
    assert out.count("Bedoelde u:") == 2
    assert "Geen keuze gemaakt" in out                                 # "jawel" cancelled the first tie
    assert "Vera: Goed." in out                                        # "2" played hoe_thuis -> slot
    journal = next((tmp_path / "sessions").glob("*.jsonl"))
    events = read_journal(journal).events
    assert [(e["type"], e["choice"]) for e in events] == [("choose", "werk"), ("fallback", None),
                                                          ("choose", "hoe_thuis")]
    assert read_journal(journal).header["free_text"] is True

    proc = subprocess.run(trainer_cmd("play", "--plain", "--resume", journal.stem, "--sessions",
                                      str(tmp_path / "sessions")),
                          input="We stoppen ermee voor vandaag.\n", capture_output=True, text=True,
                          env=subprocess_env(), timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "Tot ziens." in proc.stdout  # free text stays on after resume (header), the session ends


def test_plain_free_with_a_shipped_persona(tmp_path):
    proc = _play(["henk"], "Hoe is het voor u om hier weer te zitten?\nq\n", tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "(opgevat als: Goedemorgen. Ik ben sinds deze maand uw klantmanager." in proc.stdout


def test_trainer_match_command(vera_path):
    proc = subprocess.run(trainer_cmd("match", str(vera_path), "begin", "Wat voor werk deed u al die dertig jaar?"),
                          capture_output=True, text=True, env=subprocess_env(), timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "-> match: werk" in proc.stdout and "plan" in proc.stdout and "verplicht" in proc.stdout
    proc = subprocess.run(trainer_cmd("match", str(vera_path), "midden", "hoe is het", "--json"),
                          capture_output=True, text=True, env=subprocess_env(), timeout=60)
    data = json.loads(proc.stdout)
    assert data["kind"] == "tie" and {c["id"] for c in data["candidates"]} == {"hoe_nu", "hoe_thuis"}
    proc = subprocess.run(trainer_cmd("match", str(vera_path), "begin", OFF_TOPIC, "--json"),
                          capture_output=True, text=True, env=subprocess_env(), timeout=60)
    assert json.loads(proc.stdout)["kind"] == "fallback"
    proc = subprocess.run(trainer_cmd("match", str(vera_path), "geen_node", "x"),
                          capture_output=True, text=True, env=subprocess_env(), timeout=60)
    assert proc.returncode == 1 and "no node 'geen_node'" in proc.stderr


# --- cache and speed ---------------------------------------------------------------------------------------------

def test_index_is_cached_by_content(vera_path, tmp_path):
    a = load_persona(vera_path).persona
    b = load_persona(vera_path).persona
    assert a is not b and index_for(a) is index_for(b)
    changed = tmp_path / "vera2.yaml"
    changed.write_text(VERA.replace("Hoe is het?", "Alles goed?"), encoding="utf-8")
    c = load_persona(changed).persona
    assert content_key(c) != content_key(a) and index_for(c) is not index_for(a)
