"""Debrief: cue pick-up rules, the rubric's documented score rule, and a debrief built from a real session."""

import pytest

from trainer.debrief.build import build_debrief
from trainer.debrief.cues import track_cues
from trainer.debrief.model import FlagView
from trainer.debrief.render import render_text
from trainer.debrief.rubric import score_rubric
from trainer.engine.session import Session, Turn


def turn(index, offered=(), picks=(), detected=(), codes=("question",), ended=None, line="x"):
    return Turn(index=index, node="n", persona_line=f"line {index}", offered=tuple(offered), choice_id="c",
                choice_text=line, typed=None, match_score=None, codes=tuple(codes), picks_up=tuple(picks),
                detected=tuple(detected), effects=(), trust_before=50, motivation_before=50, phase_before="open",
                trust_after=50, motivation_after=50, phase_after="open", next="n", reply="r", ended=ended)


def events(mini, turns, controlling=()):
    return {e.cue: (e.status, e.reason, e.picked_turn) for e in track_cues(mini, turns, lambda t: t.index in controlling)}


def test_cue_picked_up_on_the_next_turn_or_the_one_after(mini):
    assert events(mini, [turn(1, ["trots"], ["trots"]), turn(2)]) == {"trots": ("picked_up", "", 1)}
    assert events(mini, [turn(1, ["trots"]), turn(2, picks=["trots"])]) == {"trots": ("picked_up", "", 2)}
    assert events(mini, [turn(1, ["trots"]), turn(2), turn(3, picks=["trots"])])["trots"][0] == "missed"


def test_cue_missed_outright_when_the_answer_is_controlling_or_about_obligations(mini):
    assert events(mini, [turn(1, ["trots"]), turn(2, picks=["trots"])], controlling={1}) == {
        "trots": ("missed", "controlling", None)}
    assert events(mini, [turn(1, ["trots"], detected=["sanction"]), turn(2, picks=["trots"])])["trots"][1] == "obligations"


def test_cue_not_judged_when_the_trainee_stopped_before_a_second_chance(mini):
    assert events(mini, [turn(1, ["trots"])]) == {}
    assert events(mini, [turn(1, ["trots"], ended="complied")])["trots"][0] == "missed"


def test_rubric_follows_the_documented_rule():
    turns = [turn(1, codes=["question"]), turn(2, codes=["complex_reflection"]),
             turn(3, codes=["simple_reflection"]), turn(4, codes=["complex_reflection"])]
    r = score_rubric(turns, [], [], "own_choice", 80)
    # R:Q 3:1 -> 15, %CR 67 % -> 10, no cues -> 12.5, no flags -> 25, own choice -> 15, trust 80 -> 8
    assert r.score == round(15 + 10 + 12.5 + 25 + 15 + 8) and r.level == "goed" and r.passed
    measures = {m.key: m for m in r.measures}
    assert measures["rq_ratio"].display == "3,0 : 1" and measures["rq_ratio"].level == "goed"  # Dutch comma
    english = {m.key: m for m in score_rubric(turns, [], [], "own_choice", 80, lang="en").measures}
    assert english["rq_ratio"].display == "3.0 : 1"
    assert measures["complex_pct"].level == "goed"


def test_a_severe_flag_caps_the_level_below_goed():
    flags = [FlagView(1, "U dient te komen.", "obligation", 2, 7, "r", 3, "e", "s")]
    r = score_rubric([turn(1, codes=["complex_reflection"])], flags, [], "own_choice", 100)
    assert r.score >= 75 and r.level == "voldoende"
    poor = score_rubric([turn(1, codes=["confront"])], flags * 3, [], "broken_off", 0)
    assert poor.level == "onvoldoende" and not poor.passed


def test_debrief_of_a_real_session_quotes_the_trainees_words(mini):
    from trainer.wiring import default_analyser

    s = Session(mini, analyser=default_analyser())
    s.choose("begin.2")  # "U dient hier te verschijnen."
    s.choose("midden.1")
    s.choose("slot.2")
    d = build_debrief(s)
    assert d.finished and d.outcome == "complied"
    obligation = [f for f in d.flags if f.category == "obligation"]
    assert obligation and obligation[0].text == "U dient hier te verschijnen."
    assert "dient" in obligation[0].text[obligation[0].start:obligation[0].end]
    assert obligation[0].explanation and obligation[0].suggestion
    assert [c.cue for c in d.cues if c.status == "missed"] == ["trots"]
    assert d.trajectory[0].turn == 0 and len(d.trajectory) == 4
    text = render_text(d)
    assert "«" in text and "Meegegaan zonder motivatie" in text and "Trots op oud werk" in text
    assert "Outcome" in render_text(build_debrief(s, "en"), "en")


def test_debrief_command_prints_the_latest_session(mini_path, tmp_path):
    import subprocess

    from conftest import subprocess_env, trainer_cmd
    from trainer.engine.runner import Run

    run = Run.start(str(mini_path), tmp_path)
    run.choose("begin.1")
    run.choose("midden.1")
    run.choose("slot.1")
    out = subprocess.run(trainer_cmd("debrief", "--sessions", str(tmp_path)), capture_output=True, text=True,
                         env=subprocess_env(), timeout=60)
    assert out.returncode == 0, out.stderr
    assert "Nabespreking: Mini" in out.stdout and "Eigen keuze afgesproken" in out.stdout
    missing = subprocess.run(trainer_cmd("debrief", "nope", "--sessions", str(tmp_path)), capture_output=True,
                             text=True, env=subprocess_env(), timeout=60)
    assert missing.returncode == 1 and "Traceback" not in missing.stderr


def test_a_cue_offered_again_can_still_be_picked_up_later(mini):
    turns = [turn(1, ["trots"]), turn(2), turn(3, ["trots"], ["trots"])]
    assert events(mini, turns) == {"trots": ("picked_up", "", 3)}
    missed_twice = [turn(1, ["trots"]), turn(2), turn(3, ["trots"]), turn(4)]
    assert events(mini, missed_twice) == {"trots": ("missed", "not_addressed", None)}


def test_controlling_language_counts_per_line_and_shows_each_line_once_with_its_categories(mini):
    """'U moet komen, anders korten we' is one controlling line with two categories, not two findings."""
    from trainer.wiring import default_analyser

    line = "U moet maandag beginnen, anders korten we uw uitkering."
    k = line.index("korten")
    two = [FlagView(1, line, "obligation", 2, 6, "r1", 2, "plicht uitleg", "plicht beter"),
           FlagView(1, line, "sanction", k, k + 6, "r2", 3, "dreigen uitleg", "dreigen beter")]
    r = score_rubric([turn(1, codes=["confront"])], two, [], "complied", 30)
    assert r.controlling_count == 1 and r.controlling_severity == 3
    measures = {m.key: m for m in r.measures}
    assert measures["controlling"].display == "1 zin (ernst 3)"

    from dataclasses import replace

    s = Session(mini, analyser=default_analyser())
    s.choose("begin.2")
    d = replace(build_debrief(s), flags=tuple(two))
    assert [(t, len(fs)) for t, _, fs in d.flagged_lines()] == [(1, 2)]
    text = render_text(d)
    assert text.count("korten") == 1  # the line is shown once
    assert "«moet» maandag beginnen, anders «korten» we" in text
    assert "verplichting, dreigen met sancties (ernst 3)" in text
    assert "plicht uitleg" in text and "dreigen uitleg" in text and "dreigen beter" in text
    assert "Score =" not in text  # the formula is in docs/debrief.md, not in the trainee's debrief
