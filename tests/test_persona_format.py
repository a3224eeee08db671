"""The persona format: every error code at its exact position, all errors at once, hostile input, the example.

Each file in tests/fixtures/broken starts with `# expect: LINE:COL CODE` lines: exactly those diagnostics must
come out (no more, no fewer). Files in tests/fixtures/valid must come out clean.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from conftest import FIXTURES, ROOT
from trainer.persona import yamlsrc
from trainer.persona.diagnostics import CODES, Diagnostic
from trainer.persona.loader import check_source, check_text, load_persona

BROKEN = sorted((FIXTURES / "broken").glob("*.yaml"))
VALID = sorted((FIXTURES / "valid").glob("*.yaml"))
EXAMPLE = ROOT / "docs" / "voorbeeld.yaml"
GUIDE = ROOT / "docs" / "auteursgids.md"
_EXPECT = re.compile(r"^# expect: (\d+):(\d+) (KM\d{3})(?: (.+))?$")


def _header(path: Path) -> list[str]:
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8").splitlines()
    except UnicodeDecodeError:
        return raw.decode("latin-1").splitlines()  # the not-UTF-8 fixture


def expectations(path: Path) -> list[tuple[int, int, str]]:
    return sorted((int(m[1]), int(m[2]), m[3]) for line in _header(path) if (m := _EXPECT.match(line)))


def expected_messages(path: Path) -> list[tuple[int, int, str, str]]:
    """(line, col, code, start of the Dutch message) for each '# expect: LINE:COL CODE message' line."""
    return sorted((int(m[1]), int(m[2]), m[3], m[4]) for line in _header(path) if (m := _EXPECT.match(line)) and m[4])


def found(diags: list[Diagnostic]) -> list[tuple[int, int, str]]:
    return sorted((d.line, d.col, d.code) for d in diags)


# --- broken files: exact positions and codes ----------------------------------------------------------------

@pytest.mark.parametrize("path", BROKEN, ids=[p.stem for p in BROKEN])
def test_broken_fixture_reports_exactly_its_expected_diagnostics(path):
    expected = expectations(path)
    assert expected, f"{path.name} has no '# expect: LINE:COL CODE' header"
    persona, diags = check_text(str(path))
    assert found(diags) == expected, "\n".join(map(str, diags))
    assert all(d.file == str(path) for d in diags)
    if any(d.is_error for d in diags):
        assert persona is None


@pytest.mark.parametrize("path", BROKEN, ids=[p.stem for p in BROKEN])
def test_broken_fixture_speaks_dutch_in_the_trainers_names(path, monkeypatch):
    """The wording a trainer reads: Dutch by default, choices named like the engine names them (net_terug.2)."""
    monkeypatch.delenv("GESPREKSTRAINER_LANG", raising=False)
    wanted = expected_messages(path)
    assert len(wanted) == len(expectations(path)), f"{path.name}: every '# expect:' line needs its message"
    diags = sorted(check_text(str(path))[1], key=lambda d: (d.line, d.col, d.code))
    for d, (line, col, code, message) in zip(diags, wanted):
        assert (d.line, d.col, d.code) == (line, col, code)
        assert d.message.startswith(message), f"{d}\nexpected: {message}"
        assert not re.search(r"nodes\[\d+\]|choices\[\d+\]|\.choices\.", d.message), d  # no parser paths


def test_every_error_code_has_a_broken_fixture():
    covered = {code for path in BROKEN for _l, _c, code in expectations(path)} | {"KM002"}  # KM002: generated below
    file_codes = {code for code in CODES if code < "KM100"}
    assert file_codes - covered == set()


def test_several_errors_in_one_file_are_all_reported_in_one_run():
    diags = check_text(str(FIXTURES / "broken" / "several-errors.yaml"))[1]
    assert len({d.code for d in diags}) >= 4
    assert [d.line for d in diags] == sorted(d.line for d in diags)


def test_file_larger_than_one_mib_is_refused_with_km002(tmp_path):
    big = tmp_path / "groot.yaml"
    big.write_text("id: groot\nsummary: " + "x" * (yamlsrc.MAX_BYTES + 10) + "\n", encoding="utf-8")
    start = time.perf_counter()
    persona, diags = check_text(str(big))
    assert time.perf_counter() - start < 1
    assert persona is None
    assert found(diags) == [(1, 1, "KM002")]
    # the same limit holds for text handed over directly (the app's editor reload)
    assert found(check_text("groot.yaml", big.read_text(encoding="utf-8"))[1]) == [(1, 1, "KM002")]


def test_billion_laughs_is_refused_in_bounded_time():
    path = FIXTURES / "broken" / "km003-billion-laughs.yaml"
    start = time.perf_counter()
    persona, diags = check_text(str(path))
    assert time.perf_counter() - start < 1
    assert persona is None and [d.code for d in diags] == ["KM003"]


def test_deep_nesting_is_refused():
    text = "id: diep\nx: " + "[" * 200 + "]" * 200 + "\n"
    diags = check_text("diep.yaml", text)[1]
    assert [d.code for d in diags] == ["KM003"]


def test_missing_file_is_km006(tmp_path):
    diags = check_text(str(tmp_path / "bestaat-niet.yaml"))[1]
    assert found(diags) == [(1, 1, "KM006")]


# --- valid files ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", VALID, ids=[p.stem for p in VALID])
def test_valid_fixture_has_no_diagnostics(path):
    persona, diags = check_text(str(path))
    assert diags == [] and persona is not None
    assert load_persona(path).persona == persona


def test_the_guides_example_validates_and_lints_clean():
    from trainer.persona.lint import lint_file
    from trainer.wiring import default_analyser

    assert check_text(str(EXAMPLE)) [1] == []
    # not even info, except KM112: the guide's example shows a node that two choices lead to on purpose
    assert [d.code for d in lint_file(str(EXAMPLE), analyse=default_analyser())] == ["KM112"]


def test_the_guide_shows_the_example_file_verbatim():
    guide = GUIDE.read_text(encoding="utf-8")
    block = re.search(r"<!-- begin voorbeeld\.yaml.*?-->\n```yaml\n(.*?)```\n<!-- einde voorbeeld\.yaml -->", guide, re.S)
    assert block, "the guide must embed docs/voorbeeld.yaml between the begin/einde markers"
    assert block.group(1) == EXAMPLE.read_text(encoding="utf-8")


def test_the_guides_test_plan_passes_on_the_example(tmp_path):
    from trainer.engine.session import Session
    from trainer.engine.testplan import load_plan, run_plan
    from trainer.wiring import default_analyser

    guide = GUIDE.read_text(encoding="utf-8")
    plan_text = re.search(r"## Testplannen.*?```yaml\n(.*?)```", guide, re.S).group(1)
    (tmp_path / "plan.yaml").write_text(plan_text, encoding="utf-8")
    session = Session(load_persona(EXAMPLE).persona, analyser=default_analyser())
    result = run_plan(load_plan(tmp_path / "plan.yaml"), session)
    assert result.passed, result.failures


# --- the libyaml and pure-Python parsers agree --------------------------------------------------------------------

PARSE_ALIKE = VALID + [EXAMPLE] + sorted((FIXTURES / "lint").glob("*.yaml")) + sorted((ROOT / "personas").glob("*.yaml"))


@pytest.mark.parametrize("path", PARSE_ALIKE, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_pure_python_parser_gives_the_same_data_and_positions(path, monkeypatch):
    """Machines without libyaml must read every valid persona the same (libyaml is more lenient: a '?' in
    {flow: text?, ...} passes libyaml but not PyYAML, so such text needs quotes)."""
    fast = yamlsrc.read_source(str(path))
    monkeypatch.setattr(yamlsrc, "_LOADER", yaml.SafeLoader)
    slow = yamlsrc.read_source(str(path))
    assert fast.data == slow.data == yaml.safe_load(path.read_text(encoding="utf-8"))
    assert fast.values == slow.values and fast.keys == slow.keys  # packed positions, style included


def test_plain_words_resolve_like_pyyaml():
    """yamlsrc reads plain words as text without asking the resolver; YAML 1.1's special words still resolve."""
    text = "a: yes\nb: Off\nc: null\nd: nee\ne: n0\nf: ~\ng: 1.5\nh: .inf\ni: 2024-01-01\nj: Ja\n"
    assert yamlsrc.read_source("w.yaml", text).data == yaml.safe_load(text)


# --- hostile and random input never raises --------------------------------------------------------------------

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
YAMLISH = st.text(alphabet=st.sampled_from(list("abcdeiknorstu:-[]{}&*!|>'\"#%@`,? \n\t\\0123456789éü\x00")),
                  max_size=300)


def _only_diagnostics(text: str) -> None:
    checked = check_source("random.yaml", text)
    assert all(isinstance(d, Diagnostic) and d.code in CODES for d in checked.diagnostics)
    lines = text.count("\n") + 2
    assert all(1 <= d.line <= lines and d.col >= 1 for d in checked.diagnostics)
    if checked.persona is None:
        assert any(d.is_error for d in checked.diagnostics)
    else:  # whatever validates, lint can check without an exception
        from trainer.persona.lint import lint

        assert all(d.code in CODES for d in lint(checked.persona, checked.source))


@FAST
@given(YAMLISH)
@example("0[:")  # a key with "[" once crashed the loader (it took it for a pydantic type tag)
def test_random_yamlish_text_gives_diagnostics_not_exceptions(text):
    _only_diagnostics(text)


VALID_DATA = yaml.safe_load((FIXTURES / "valid" / "everything.yaml").read_text(encoding="utf-8"))
ODD_VALUES = st.one_of(st.none(), st.booleans(), st.integers(-1000, 1000), st.text(max_size=12),
                       st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
                       st.sampled_from(["opening", "einde", "trust >= 40", "phase == 'open'", "visited('x')", "(", "=="]))


def _paths(data, prefix=()):
    yield prefix
    if isinstance(data, dict):
        for k, v in data.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield from _paths(v, prefix + (i,))


ALL_PATHS = [p for p in _paths(VALID_DATA) if p]


def _get(data, path):
    for p in path:
        data = data[p]
    return data


@st.composite
def mutated(draw):
    import copy

    data = copy.deepcopy(VALID_DATA)
    for _ in range(draw(st.integers(1, 4))):
        path = draw(st.sampled_from(ALL_PATHS))
        try:
            parent = _get(data, path[:-1])
            _get(parent, path[-1:])
        except (KeyError, IndexError, TypeError):
            continue
        if not isinstance(parent, (dict, list)):
            continue  # an earlier mutation turned the container into text (indexing text still "works")
        action = draw(st.sampled_from(["delete", "rename", "retype", "swap"]))
        key = path[-1]
        if action == "delete":
            del parent[key]
        elif action == "rename" and isinstance(parent, dict):
            parent[draw(st.sampled_from(["nxt", "Id", "choice", "if", "when", "examples", "", "say "]))] = parent.pop(key)
        elif action == "swap":
            other = draw(st.sampled_from(ALL_PATHS))
            try:
                parent[key] = copy.deepcopy(_get(data, other))
            except (KeyError, IndexError, TypeError):
                pass
        else:
            parent[key] = draw(ODD_VALUES)
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


@FAST
@given(mutated())
def test_mutated_valid_persona_gives_diagnostics_not_exceptions(text):
    _only_diagnostics(text)


@FAST
@given(st.data())
def test_cut_and_spliced_persona_text_gives_diagnostics_not_exceptions(data):
    lines = (FIXTURES / "valid" / "everything.yaml").read_text(encoding="utf-8").splitlines(keepends=True)
    i = data.draw(st.integers(0, len(lines) - 1))
    j = data.draw(st.integers(i, min(len(lines), i + 5)))
    insert = data.draw(st.sampled_from(["", "  - ", "\t", "&a ", "*a\n", "'", "key: [\n", "---\n", "<<: {}\n", "? x\n"]))
    _only_diagnostics("".join(lines[:i]) + insert + "".join(lines[j:]))


# --- the benchmark generator ---------------------------------------------------------------------------------------

def test_generated_5000_node_persona_fits_the_size_limit_and_validates():
    from trainer.persona.generate import generate_persona

    text = generate_persona(5000, seed=1)
    assert len(text.encode("utf-8")) < yamlsrc.MAX_BYTES
    persona, diags = check_text("generated.yaml", text)
    assert not [d for d in diags if d.is_error]
    assert len(persona.nodes) == 5000 and all(len(n.choices) == 3 for n in persona.nodes)
    assert {e.outcome for e in persona.endings} >= {"own_choice", "postponed", "complied", "broken_off"}
    assert sum(c.when is not None for n in persona.nodes for c in n.choices) > 500


# --- the guide to the codes -----------------------------------------------------------------------------------------

def test_every_code_has_a_section_in_the_diagnostics_guide():
    page = (ROOT / "docs" / "diagnostics.md").read_text(encoding="utf-8")
    sections = re.findall(r'^<a id="(KM\d{3})"></a>\n## (KM\d{3}) · (.+)$', page, re.M)
    assert [anchor for anchor, _h, _t in sections] == sorted(CODES), "one section per code, in code order"
    for anchor, heading, title in sections:
        assert heading == anchor and title == CODES[anchor]
    for code in CODES:  # each section explains, shows the mistake and the fix
        body = page.split(f'<a id="{code}"></a>')[1].split("<a id=")[0]
        assert "**Soort:**" in body and "Fout" in body and "```" in body, code
        assert "Oplossing" in body or "Goed" in body, code
