"""Authoring for trainers (issue 16): Dutch diagnostics in the trainer's names, conditions reported whole with
their fix, hostile persona input as diagnostics, `trainer new`, `trainer explain`, `trainer inspect`, and the
stable choice ids that replay checks."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import FIXTURES, ROOT, subprocess_env, trainer_cmd
from trainer.persona.conditions import ConditionError, parse
from trainer.persona.loader import check_text
from trainer.persona.messages import set_lang

MINIMAL = (FIXTURES / "valid" / "minimal.yaml").read_text(encoding="utf-8")


def _run(*args, **env):
    return subprocess.run(trainer_cmd(*args), capture_output=True, text=True, env=subprocess_env(**env), cwd=ROOT,
                          timeout=120)


@pytest.fixture(autouse=True)
def dutch(monkeypatch):
    monkeypatch.delenv("GESPREKSTRAINER_LANG", raising=False)
    set_lang(None)
    yield
    set_lang(None)


def _persona(extra_node: str = "", choice: str = "") -> str:
    """The minimal persona, optionally with a second node `net_terug` whose second choice is `choice`."""
    text = MINIMAL.replace("        next: klaar\n", "        next: net_terug\n", 1)
    return text.replace("endings:\n", f"""  - id: net_terug
    say: Net terug.
    choices:
      - text: Eerste.
        codes: [question]
        next: klaar
        examples: [een]
{choice}{extra_node}endings:
""")


# --- wording and names ----------------------------------------------------------------------------------------

def test_a_missing_field_names_the_choice_as_the_trainer_does_not_the_parser():
    text = _persona(choice="      - text: Tweede.\n        next: klaar\n")
    diags = check_text("minimal.yaml", text)[1]
    assert [d.code for d in diags] == ["KM011"]
    assert diags[0].message == "verplicht veld 'codes' ontbreekt in keuze net_terug.2"


def test_english_with_the_environment_or_set_lang(monkeypatch):
    text = _persona(choice="      - text: Tweede.\n        next: klaar\n")
    monkeypatch.setenv("GESPREKSTRAINER_LANG", "en")
    assert check_text("minimal.yaml", text)[1][0].message == "missing required field 'codes' in choice net_terug.2"
    r = _run("validate", "--lang", "en", str(FIXTURES / "broken" / "km001-tab.yaml"))
    assert "there is a tab in the indentation" in r.stdout


@pytest.mark.parametrize("snippet, wanted", [
    ("    say: Zeg: iets\n", "dubbele punt gevolgd door een spatie; zet de hele tekst tussen aanhalingstekens"),
    ("\tsay: Hallo\n", "er staat een tab in de inspringing"),
    ("     say: Hallo\n", "springt verder in dan de regel erboven"),
    ("    say: \"Hij zei \"nee\" tegen mij\"\n", "staat er een \" of ' midden in de tekst"),
    ("    say: @thuis\n", "tekst mag niet beginnen met '@'"),
])
def test_common_yaml_mistakes_are_told_in_the_trainers_terms(snippet, wanted):
    text = MINIMAL.replace("    say: Hallo.\n", snippet, 1)
    diags = check_text("minimal.yaml", text)[1]
    assert [d.code for d in diags] == ["KM001"], diags
    assert wanted in diags[0].message
    assert "mapping values" not in diags[0].message and "token" not in diags[0].message


def test_every_problem_of_a_condition_in_one_run_with_the_fix():
    with pytest.raises(ConditionError) as caught:
        parse("phase = betrokken && trust > 60")
    exc = caught.value
    assert [p.offset for p in exc.problems] == [6, 8, 18]
    assert "aanhalingstekens" in exc.problems[1].message
    assert exc.fixed == 'phase == "betrokken" and trust > 60'
    parse(exc.fixed)  # the suggested fix is itself a valid condition


def test_condition_problems_without_an_obvious_fix_offer_none():
    with pytest.raises(ConditionError) as caught:
        parse("trust > 5 and vertrouwen > 3")
    assert caught.value.fixed is None and caught.value.code == "KM031"


# --- hostile persona input: diagnostics, never a traceback -------------------------------------------------------

@pytest.mark.parametrize("condition, code", [
    ("(" * 200 + "trust > 1" + ")" * 200, "KM030"),
    ("not " * 100 + "true", "KM030"),
    ("trust > " + "9" * 5000, "KM015"),
    ("trust > " + "9" * 40, "KM013"),
], ids=["200-parentheses", "100-nots", "5000-digits", "40-digits"])
def test_hostile_conditions_become_diagnostics(condition, code):
    text = MINIMAL.replace("        next: klaar\n", f"        next: klaar\n        if: \"{condition}\"\n", 1)
    diags = check_text("minimal.yaml", text)[1]
    assert code in [d.code for d in diags]


def test_a_5000_digit_number_in_a_field_is_one_diagnostic():
    diags = check_text("minimal.yaml", MINIMAL.replace("age: 30", "age: " + "7" * 5000))[1]
    assert [(d.line, d.code) for d in diags] == [(4, "KM013")]


def test_control_characters_in_persona_text_are_refused():
    diags = check_text("minimal.yaml", MINIMAL.replace("say: Hallo.", 'say: "Hallo\\e]0;gehackt\\a"', 1))[1]
    assert [d.code for d in diags] == ["KM017"]


_CONDITION_ALPHABET = st.sampled_from(list("()<>=!&|\"' ") + ["trust", "motivation", "turns", "phase", "and", "or",
                                       "not", "visited(", "\"open\"", "betrokken", "60", "9" * 30, "x", "true"])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(max_size=200), st.lists(_CONDITION_ALPHABET, max_size=80).map(" ".join),
                 st.integers(1, 3000).map(lambda n: "(" * n + "trust > 1" + ")" * n)))
def test_any_condition_parses_or_gives_a_condition_error(condition):
    try:
        parse(condition)
    except ConditionError as exc:
        assert exc.problems and all(p.code.startswith("KM0") for p in exc.problems)
        assert all(0 <= p.offset <= len(condition) for p in exc.problems)
        if exc.fixed is not None:
            parse(exc.fixed)  # a suggested fix always parses


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=300))
def test_any_condition_in_a_file_gives_diagnostics_not_a_traceback(condition):
    quoted = condition.replace("\\", "\\\\").replace('"', '\\"')
    text = MINIMAL.replace("        next: klaar\n", f"        next: klaar\n        if: \"{quoted}\"\n", 1)
    _persona, diags = check_text("minimal.yaml", text)
    assert all(d.code.startswith("KM") and d.line >= 1 and d.col >= 1 for d in diags)


# --- commands --------------------------------------------------------------------------------------------------

def test_trainer_new_writes_a_skeleton_that_validates_and_lints_without_warnings(tmp_path):
    r = _run("new", "Fatima el Amrani", "--dir", str(tmp_path))
    assert r.returncode == 0, r.stderr
    path = tmp_path / "fatima-el-amrani.yaml"
    assert r.stdout.strip() == str(path)
    from trainer.persona.lint import lint_file
    from trainer.wiring import default_analyser

    assert check_text(str(path))[1] == []
    assert [d for d in lint_file(str(path), analyse=default_analyser()) if d.severity != "info"] == []
    again = _run("new", "Fatima el Amrani", "--dir", str(tmp_path))
    assert again.returncode == 1 and "bestaat al" in again.stderr  # never overwrites


def test_trainer_explain_prints_the_section_of_a_code():
    r = _run("explain", "km21")
    assert r.returncode == 0 and r.stdout.startswith("## KM021 · verwijzing naar onbekende node of afloop")
    assert "Oplossing" in r.stdout and "KM022" not in r.stdout.split("\n")[0]
    bad = _run("uitleg", "KM999")
    assert bad.returncode == 1 and "onbekende code" in bad.stderr


def test_trainer_inspect_shows_what_the_analyser_reads_and_flags_double_counting(tmp_path):
    text = MINIMAL.replace("      - text: Dag.\n        codes: [question]\n",
                           "      - text: U moet zich morgen aanmelden.\n        codes: [giving_information]\n"
                           "        controlling: true\n        effects: {trust: -10}\n", 1)
    text = text.replace("start: begin\n", "sensitivities:\n  obligation: {trust: -6}\nstart: begin\n")
    path = tmp_path / "minimal.yaml"
    path.write_text(text, encoding="utf-8")
    r = _run("lees", str(path))
    assert r.returncode == 0, r.stderr
    assert "begin.1" in r.stdout and "[obligation, controlerend]" in r.stdout
    assert "samen: vertrouwen -16" in r.stdout and "vertrouwen telt dubbel" in r.stdout


# --- stable choice ids: replay refuses a choice whose text changed ------------------------------------------------

def test_replay_refuses_a_journal_whose_choice_text_changed_under_its_id(mini_path, tmp_path):
    from trainer.engine.journal import ResumeError, open_session
    from trainer.engine.runner import Run

    copy = tmp_path / "mini.yaml"
    shutil.copy(mini_path, copy)
    run = Run.start(str(copy), tmp_path / "s")
    turn = run.choose("begin.1")
    old = turn.choice_text
    copy.write_text(copy.read_text(encoding="utf-8").replace(old, old + " Echt waar.", 1), encoding="utf-8")
    with pytest.raises(ResumeError, match="different text"):
        open_session(run.journal.path)


def test_a_journal_without_text_fingerprints_still_replays(mini_path, tmp_path):
    import json

    from trainer.engine.journal import open_session
    from trainer.engine.runner import Run

    run = Run.start(str(mini_path), tmp_path / "s")
    run.choose("begin.1")
    lines = run.journal.path.read_text(encoding="utf-8").splitlines()
    old = [json.loads(line) for line in lines]
    for rec in old:
        rec.pop("text_hash", None)  # a journal written before the fingerprint existed
    run.journal.path.write_text("".join(json.dumps(r) + "\n" for r in old), encoding="utf-8")
    assert open_session(run.journal.path).session.state.node == "midden"
