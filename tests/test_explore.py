"""The path explorer moves sets of meter cells at once; check it against a plain state-by-state search."""

from collections import deque

import pytest

from trainer.engine.explore import explore, preimage, shift
from trainer.engine.session import Session
from trainer.persona.loader import load_persona


def brute_force(persona):
    """Every concrete state by breadth-first search with the real Session (slow, small personas only)."""
    s = Session(persona)
    start = s.state
    seen = {start: 0}
    queue = deque([start])
    endings: dict[str, list] = {}
    while queue:
        st = queue.popleft()
        if st.ending:
            endings.setdefault(st.ending, []).append((seen[st], st.trust, st.motivation))
            continue
        s.restore(st)
        for option in s.open_choices():
            s.restore(st)
            s.choose(option.id)
            # states differ only in what conditions can read: mini reads visited("slot") only
            nxt = s.state._replace(turns=0, visited=s.state.visited & {"slot"}, offered=frozenset(),
                          picked_up=frozenset())
            if nxt not in seen:
                seen[nxt] = seen[st] + 1
                queue.append(nxt)
    return seen, endings


def test_shift_and_preimage_agree_with_clamping():
    import random

    rnd = random.Random(3)
    for _ in range(200):
        t, m, dt, dm = rnd.randrange(101), rnd.randrange(101), rnd.randint(-40, 40), rnd.randint(-40, 40)
        bit = 1 << (t * 101 + m)
        moved = shift(bit, dt, dm)
        t2, m2 = min(100, max(0, t + dt)), min(100, max(0, m + dm))
        assert moved == 1 << (t2 * 101 + m2)
        assert preimage(moved, dt, dm) & bit


def test_explorer_matches_brute_force(mini):
    seen, endings = brute_force(mini)
    report = explore(mini)
    assert set(report.endings) == set(endings)
    for e, hits in endings.items():
        rep = report.endings[e]
        assert rep.trust == [min(h[1] for h in hits), max(h[1] for h in hits)]
        assert rep.motivation == [min(h[2] for h in hits), max(h[2] for h in hits)]
        assert rep.shortest == min(h[0] for h in hits)
        assert rep.states == len({(h[1], h[2]) for h in hits})
    live = {(st.node, st.trust, st.motivation, frozenset(st.visited)) for st in seen if not st.ending}
    assert report.states == len(live)
    assert report.stuck_states == 0 and report.unreached_nodes == []


def test_example_paths_replay_to_their_ending(mini):
    report = explore(mini)
    for e, rep in report.endings.items():
        s = Session(mini)
        for cid in rep.example:
            s.choose(cid)
        assert s.state.ending == e and len(rep.example) == rep.shortest


def test_stuck_states_are_found(tmp_path, mini_path):
    text = mini_path.read_text(encoding="utf-8")
    # a loop with no way out: from 'slot', the only choices lead back to 'slot'
    text = text.replace("next: eigen, if: \"motivation >= 60\"", "next: slot").replace("next: moet", "next: slot")
    p = tmp_path / "mini.yaml"
    p.write_text(text, encoding="utf-8")
    report = explore(load_persona(p).persona)
    assert report.stuck_states > 0 and "slot" in report.stuck_nodes
    assert report.stuck_example  # a path that leads into it


@pytest.mark.parametrize("pid", ["henk", "trees", "ingrid", "chien"])
def test_shipped_personas_every_outcome_reachable_nothing_stuck(pid):
    from trainer.persona.registry import available
    from trainer.wiring import default_analyser

    if pid not in available():
        pytest.skip(f"{pid} not written yet")
    persona = load_persona(available()[pid]).persona
    report = explore(persona, analyser=default_analyser())
    outcomes = {r.outcome for r in report.endings.values()}
    assert {"own_choice", "complied", "broken_off"} <= outcomes
    assert report.unreached_nodes == [] and report.unreached_endings == []
    assert report.stuck_states == 0, report.stuck_example


def test_shift_of_many_cells_matches_cell_by_cell():
    import random

    rnd = random.Random(5)
    for _ in range(60):
        cells = [(rnd.randrange(101), rnd.randrange(101)) for _ in range(rnd.randint(1, 40))]
        dt, dm = rnd.randint(-120, 120), rnd.randint(-120, 120)
        bits = sum({1 << (t * 101 + m) for t, m in cells})
        want = 0
        for t, m in cells:
            want |= 1 << (min(100, max(0, t + dt)) * 101 + min(100, max(0, m + dm)))
        assert shift(bits, dt, dm) == want


def test_sparse_and_dense_shift_agree():
    import random

    from explore_reference import shift_cells

    rnd = random.Random(9)
    for _ in range(200):
        bits = 0
        for _ in range(rnd.randint(1, 8)):
            bits |= 1 << rnd.randrange(101 * 101)
        dt, dm = rnd.randint(-110, 110), rnd.randint(-110, 110)
        assert shift_cells(bits, dt, dm) == shift(bits, dt, dm)


def _cases():
    """(label, persona, analyse?, max_layers, max_keys): small personas with conditions, own phase rules,
    sensitivities, visited/offered/picked_up, reactions, break_off, stuck loops, closed nodes, cut-off searches."""
    from trainer.persona.generate import generate_persona
    from conftest import FIXTURES, PERSONAS

    files = {"mini": FIXTURES / "engine" / "mini.yaml", "cases": FIXTURES / "engine" / "explore_cases.yaml",
             "everything": FIXTURES / "valid" / "everything.yaml",
             "dead_end": FIXTURES / "lint" / "km102-dead-end.yaml", "loop": FIXTURES / "lint" / "km103-loop.yaml",
             "no_open": FIXTURES / "lint" / "km110-no-open-choice.yaml", "ingrid": PERSONAS / "ingrid.yaml"}
    personas = {name: load_persona(path).persona for name, path in files.items()}
    yield "mini", personas["mini"], True, 500, 250_000
    yield "cases", personas["cases"], True, 500, 250_000
    yield "cases, no analyser", personas["cases"], False, 500, 250_000
    yield "cases, 4 layers", personas["cases"], True, 4, 250_000
    yield "cases, 40 keys", personas["cases"], True, 500, 40
    for name in ("everything", "dead_end", "loop", "no_open"):
        yield name, personas[name], True, 500, 250_000
    yield "ingrid, 6 layers", personas["ingrid"], True, 6, 250_000
    for n, seed in ((20, 0), (20, 3), (60, 1)):
        import tempfile
        from pathlib import Path

        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / f"gen{n}.yaml"
            path.write_text(generate_persona(n, seed, persona_id=f"gen{n}"), encoding="utf-8")
            yield f"generated {n}/{seed}", load_persona(path).persona, True, 500, 250_000


def test_explorer_reports_exactly_what_the_plain_reference_search_reports(monkeypatch):
    """The numpy search must not change a single figure, order or example path: compare the whole report (as
    JSON, so orders count) with the one the plain big-integer search and the full reaction scan give."""
    import json

    import explore_reference
    import trainer.engine.explore as ex
    from trainer.wiring import default_analyser

    analyser = default_analyser()
    for label, persona, analyse, layers, keys in _cases():
        got = ex.explore(persona, analyser=analyser if analyse else None, max_layers=layers, max_keys=keys)
        with monkeypatch.context() as m:
            m.setattr(ex, "_forward", explore_reference.forward)
            m.setattr(ex, "_reaction_coverage", explore_reference.reaction_coverage)
            want = ex.explore(persona, analyser=analyser if analyse else None, max_layers=layers, max_keys=keys)
        got, want = got.to_dict(), want.to_dict()
        got.pop("seconds"), want.pop("seconds")
        assert json.dumps(got, ensure_ascii=False) == json.dumps(want, ensure_ascii=False), label
        if label == "cases":  # the case persona really has what it is there for
            assert got["stuck_states"] and got["no_open_choice_nodes"] == ["druk"] and got["unused_reactions"]
            assert got["unreached_nodes"] == ["nooit"] and got["unreached_endings"] == ["nergens"]
        if label.endswith(("layers", "keys")):
            assert got["truncated"]


def test_explorer_is_deterministic_across_processes(tmp_path):
    """Same persona, same report and example paths, also when Python hashes strings differently."""
    import json
    import subprocess

    from conftest import FIXTURES, subprocess_env, trainer_cmd

    reports = []
    for seed in ("1", "2"):
        r = subprocess.run(trainer_cmd("explore", str(FIXTURES / "engine" / "explore_cases.yaml"), "--json"),
                           capture_output=True, text=True, env=subprocess_env(PYTHONHASHSEED=seed))
        report = json.loads(r.stdout)
        report.pop("seconds")
        reports.append(report)
    assert reports[0] == reports[1] and reports[0]["endings"]


@pytest.mark.parametrize("op", ["<", "<=", ">", ">=", "==", "!="])
def test_meter_against_meter_masks_match_the_cell_by_cell_grid(mini, op):
    from trainer.engine.explore import _Model, _meters_cmp
    from trainer.engine.session import CompiledPersona
    from trainer.persona.conditions import parse

    model = _Model(CompiledPersona(mini), None)
    key = model.key(__import__("trainer.engine.session", fromlist=["Session"]).Session(model.c).state)
    for a, b in (("trust", "motivation"), ("motivation", "trust")):
        tree = parse(f"{a} {op} {b}").tree
        assert _meters_cmp(op, a, b) == model._grid(tree, key, model.phases(key))


def _explore_cli(path, cache):
    import re
    import subprocess

    from conftest import subprocess_env, trainer_cmd

    r = subprocess.run(trainer_cmd("explore", str(path)), capture_output=True, text=True,
                       env=subprocess_env(GESPREKSTRAINER_CACHE=str(cache)))
    return r.returncode, re.sub(r"\(\d+\.\d+ s\)", "(t)", r.stdout), r.stderr


@pytest.mark.parametrize("broken", [False, True])
def test_explore_right_after_an_edit_reports_as_without_any_cache(tmp_path, broken):
    # After an edit a child process checks the persona (filling the cache) while the command loads the search;
    # what the trainer reads must not depend on it: the same report, or the same diagnostics, as with no cache.
    from conftest import ROOT

    text = (ROOT / "tests" / "fixtures" / "valid" / "everything.yaml").read_text(encoding="utf-8")
    edited = text.replace("Wat kan wel?", "Wat kan er nog wel?" if not broken else "Wat kan wel?\n\tnext: x")
    assert edited != text
    path = tmp_path / "everything.yaml"
    path.write_text(edited, encoding="utf-8")
    fresh = _explore_cli(path, tmp_path / "cache")
    assert fresh == _explore_cli(path, "off")
    if broken:
        assert fresh[0] == 1 and f"{path}:" in fresh[2] and "KM001" in fresh[2]
        assert not list((tmp_path / "cache").glob("personas/*.json"))  # a broken file is never cached
    else:
        assert fresh[1].startswith("everything:") and list((tmp_path / "cache").glob("personas/*.json"))
        assert _explore_cli(path, tmp_path / "cache") == fresh  # the rerun reads the cached persona
