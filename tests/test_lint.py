"""trainer lint: each check on a fixture with exact positions, the static condition checker, the CLI."""

from __future__ import annotations

import re
import subprocess
import time

import pytest

from conftest import FIXTURES, PERSONAS, ROOT, subprocess_env, trainer_cmd
from test_persona_format import expectations, found
from trainer.persona.flow import Flow
from trainer.persona.lint import lint_file
from trainer.wiring import default_analyser
from trainer.persona.loader import check_source
from trainer.persona.satisfy import UNKNOWN, Checker, Facts

LINT = sorted((FIXTURES / "lint").glob("*.yaml"))
SHIPPED = sorted(PERSONAS.glob("*.yaml"))
ANALYSER = default_analyser()
LINE = re.compile(r"^.+:\d+:\d+: KM\d{3} \S.*$")


@pytest.mark.parametrize("path", LINT, ids=[p.stem for p in LINT])
def test_lint_fixture_reports_exactly_its_expected_diagnostics(path):
    expected = expectations(path)
    if ANALYSER is None:  # KM107 needs the controlling-language analyser
        expected = [e for e in expected if e[2] != "KM107"]
    diags = lint_file(str(path), analyse=ANALYSER)
    assert found(diags) == expected, "\n".join(map(str, diags))
    assert all(d.severity == ("info" if d.code in ("KM108", "KM112") else "warning") for d in diags)


def test_every_lint_code_has_a_fixture():
    covered = {code for path in LINT for _l, _c, code in expectations(path)}
    assert {f"KM{n}" for n in range(101, 113)} <= covered


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_shipped_personas_have_no_structural_lint_warnings(path):
    """Reachability, loops, conditions and cues must be right in what we ship (KM107 depends on the lexicon)."""
    diags = lint_file(str(path))
    assert [str(d) for d in diags if d.is_error or d.code not in ("KM107", "KM108", "KM112")] == []


def test_lint_without_analyser_skips_km107_only():
    path = FIXTURES / "lint" / "km107-controlling.yaml"
    assert lint_file(str(path), analyse=None) == []


def test_lint_reports_nothing_beyond_validation_errors_on_a_broken_file():
    path = FIXTURES / "broken" / "several-errors.yaml"
    assert all(d.code < "KM100" for d in lint_file(str(path)))


def test_lint_of_a_5000_node_persona_is_fast():
    from trainer.persona.generate import generate_persona
    from trainer.persona.lint import lint

    checked = check_source("generated.yaml", generate_persona(5000, seed=2))
    start = time.perf_counter()
    diags = lint(checked.persona, checked.source, ANALYSER)
    assert time.perf_counter() - start < 5  # about 0.2 s on an idle machine; generous for a busy CI box
    # the generator builds a sound conversation: only info about examples and nodes several choices lead to
    assert {d.code for d in diags} <= {"KM108", "KM112"}


# --- the static condition checker ------------------------------------------------------------------------------

@pytest.mark.parametrize("condition, holds", [
    ("trust >= 40", True),
    ("trust > 60 and trust < 40", False),
    ("trust > 60 and trust < 62", True),  # only 61
    ("trust > 100", False),
    ("motivation <= 0 and trust >= 100", True),
    ('phase == "betrokken" and trust < 30', False),  # betrokken needs trust >= 70
    ('phase == "betrokken" and motivation >= 60', True),
    ('phase == "weerstand" and trust >= 15', False),
    ('not (phase == "wantrouwend") and trust < 30', True),  # weerstand below 15
    ("turns >= 3 and turns < 3", False),
    ("turns > 1000", True),
    ('visited("x") and not visited("x")', False),
    ('picked_up("a") or offered("b")', True),
    ("true", True),
    ("false", False),
    ("trust > motivation", True),
])
def test_checker_finds_whether_a_condition_can_hold(condition, holds):
    assert (Checker().example(condition) is not None) == holds


def test_checker_uses_the_personas_phase_rules():
    checker = Checker({"open": "trust >= 90"})
    assert checker.example('phase == "open" and trust < 80') is None
    assert checker.example('phase == "open"') == "phase open"  # only what the condition names


def test_checker_respects_facts_of_the_place():
    facts = Facts(true=frozenset({("visited", "here")}), false=frozenset({("visited", "later")}), min_turns=1)
    checker = Checker()
    assert checker.example('not visited("here")', facts) is None
    assert checker.example('visited("later")', facts) is None
    assert checker.example("turns == 0", facts) is None
    assert checker.example("turns == 1", facts) == "turns 1"


def test_checker_is_unsure_rather_than_wrong():
    # two variables compared with each other: no "never" verdict from the grid
    assert Checker().example("trust > motivation and motivation > trust") == UNKNOWN
    many = " and ".join(f'visited("n{i}")' for i in range(20))
    assert Checker().example(many) == UNKNOWN


# --- the graph of choices ------------------------------------------------------------------------------------------

def test_flow_components_and_descendants():
    persona = check_source(str(FIXTURES / "lint" / "km103-loop.yaml")).persona
    flow = Flow(persona)
    components = {tuple(c) for c in flow.components()}
    assert ("b", "c") in components and ("a",) in components
    assert flow.is_loop(["b", "c"]) and not flow.is_loop(["a"])
    desc = flow.descendants()
    bit = {n: 1 << i for i, n in enumerate(flow.nodes)}
    assert desc["a"] == bit["a"] | bit["b"] | bit["c"]
    assert desc["b"] == desc["c"] == bit["b"] | bit["c"]
    assert flow.can_finish() >= {"a", "einde"} and "b" not in flow.can_finish()


def test_flow_handles_a_long_chain_without_recursion():
    from trainer.persona.generate import generate_persona

    persona = check_source("generated.yaml", generate_persona(3000, seed=3)).persona
    flow = Flow(persona)
    assert len(flow.reachable()) == 3000 + 5
    assert sum(len(c) for c in flow.components()) == 3000


# --- CLI ---------------------------------------------------------------------------------------------------------

def _run(*args):
    return subprocess.run(trainer_cmd(*args), capture_output=True, text=True, env=subprocess_env(), cwd=ROOT,
                          timeout=120)


def test_cli_lint_clean_file_exits_0_without_hint():
    r = _run("lint", "--strict", str(FIXTURES / "valid" / "minimal.yaml"))
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.endswith("minimal.yaml: ok\n") and r.stdout.count("\n") == 1 and "docs/diagnostics.md" not in r.stderr


def test_cli_lint_warnings_fail_only_with_strict():
    path = str(FIXTURES / "lint" / "km103-loop.yaml")
    plain, strict = _run("lint", path), _run("lint", "--strict", path)
    assert plain.returncode == 0 and strict.returncode == 1
    for r in (plain, strict):
        lines = r.stdout.splitlines()
        assert lines and all(LINE.match(line) for line in lines)
        assert lines[0].startswith(f"{path}:21:9: KM103 ")
        assert r.stderr.count("Uitleg per code: docs/diagnostics.md") == 1


def test_cli_lint_info_never_fails_and_can_be_hidden():
    path = str(FIXTURES / "lint" / "km108-no-examples.yaml")
    r = _run("lint", "--strict", path)
    assert r.returncode == 0 and "KM108" in r.stdout
    r = _run("lint", "--strict", "--no-info", path)
    assert r.returncode == 0 and r.stdout.endswith(": ok (1 info)\n") and "KM108" not in r.stdout


def test_cli_lint_errors_exit_1_and_show_all_of_them():
    path = str(FIXTURES / "broken" / "several-errors.yaml")
    r = _run("lint", path)
    assert r.returncode == 1
    assert [line.split(": ")[1].split()[0] for line in r.stdout.splitlines()] == \
        ["KM013", "KM014", "KM010", "KM021", "KM024"]
    assert "5 fouten; los eerst de fouten op" in r.stderr  # the trainer's language, Dutch by default
    assert "5 errors; fix the errors first" in _run("lint", "--lang", "en", path).stderr


def test_cli_lint_a_folder_and_an_unknown_persona():
    r = _run("lint", str(FIXTURES / "valid"), "geen-persona-met-deze-naam")
    assert r.returncode == 1
    assert "unknown persona" in r.stderr
    assert r.stdout.count(": ok") == 2


def test_cli_validate_exit_codes_and_format():
    ok = _run("validate", str(FIXTURES / "valid" / "everything.yaml"))
    # "ok" is the result, on stdout (issue 16: it was on stderr), and nothing else is printed
    assert ok.returncode == 0 and ok.stdout.endswith("everything.yaml: ok\n") and ok.stderr == ""
    bad = _run("validate", str(FIXTURES / "broken"))
    assert bad.returncode == 1
    lines = [line for line in bad.stdout.splitlines() if not re.search(r"\.yaml: ok( \(.*\))?$", line)]
    assert len(lines) >= 30 and all(LINE.match(line) for line in lines)
    assert bad.stderr.count("Uitleg per code: docs/diagnostics.md") == 1
    # a warning alone (KM016) does not fail validate, but is shown with the hint
    warn = _run("validate", str(FIXTURES / "broken" / "km016-id-filename.yaml"))
    assert warn.returncode == 0 and "KM016" in warn.stdout and "diagnostics.md" in warn.stderr


def test_a_failing_analyser_does_not_stop_lint():
    def broken(text):
        raise ValueError("lexicon broken")

    path = FIXTURES / "lint" / "km103-loop.yaml"
    assert [d.code for d in lint_file(str(path), analyse=broken)] == ["KM103", "KM112"]
