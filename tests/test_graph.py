"""trainer graph: Mermaid and Graphviz output that renders, with escaping of persona text."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from conftest import FIXTURES, PERSONAS, ROOT, subprocess_env, trainer_cmd
from trainer.persona.graph import dot_string, mermaid_text, render, short, to_dot, to_mermaid
from trainer.persona.loader import load_persona

SOURCES = sorted(PERSONAS.glob("*.yaml")) + [ROOT / "docs" / "voorbeeld.yaml", FIXTURES / "valid" / "everything.yaml"]

# Persona text with everything that can break a graph: quotes, pipes, brackets, HTML, entity-like text,
# backslash escapes of dot, words both formats reserve.
NASTY = """
format: 1
id: nasty
name: N
age: 40
situation: s
summary: s
scene: s
facts: [{text: f, sources: [s]}]
outcomes: {eigen-ding: 'Een "eigen" <uitkomst> & zo'}
break_off: {if: 'trust < 5 and phase != "open"', ending: end}
start: end-1
nodes:
  - id: end-1
    say: '\\l back\\slash "hallo" | <b>vet</b> & #1; `code` %% {x} [y] (z) --> ;'
    choices:
      - {text: 'A "quote" | pipe', codes: [question], next: end, if: 'visited("end-1") and phase == "open"'}
      - {id: style, text: '#quot; <br/> -->|x| ; classDef', codes: [question], next: graph, controlling: true}
      - {text: click callback, codes: [question], next: eigen}
  - id: graph
    say: subgraph end classDef
    choices:
      - {text: end, codes: [question], next: end-1}
      - {text: o, codes: [question], next: end}
endings:
  - {id: end, outcome: broken_off, say: bye}
  - {id: eigen, outcome: eigen-ding, say: bye}
  - {id: goed, outcome: own_choice, say: bye}
"""


@pytest.fixture(scope="module")
def nasty(tmp_path_factory):
    path = tmp_path_factory.mktemp("graph") / "nasty.yaml"
    path.write_text(NASTY, encoding="utf-8")
    return load_persona(path).persona


def test_short_cuts_on_words_and_marks_the_cut():
    assert short("Een twee drie", 5) == "Een twee drie"
    assert short("Een twee drie vier", 2) == "Een twee…"
    assert short("Een\n  regel", 5) == "Een regel"
    assert len(short("x" * 100, 5, 20)) == 20


def test_mermaid_text_escapes_what_mermaid_parses():
    assert mermaid_text('a "b" | <c> & #d `e`') == "a #quot;b#quot; #124; #lt;c#gt; #amp; #35;d #96;e#96;"


def test_dot_string_escapes_quotes_and_backslashes():
    assert dot_string('a "b" \\l') == '"a \\"b\\" \\\\l"'


# --- Mermaid ---------------------------------------------------------------------------------------------------

_M_NODE = re.compile(r'^    (n\d+|e\d+|brk)(\["[^"]*"\]|\(\["[^"]*"\]\)|\{\{"[^"]*"\}\}|\[\["[^"]*"\]\]|\{"[^"]*"\})$')
_M_EDGE = re.compile(r'^    (n\d+|brk) (-->|-\.->|==>)(\|"[^"|]*"\|)? (n\d+|e\d+)$')
_M_STYLE = re.compile(r"^    (classDef \w+ [\w:#,.\-]+|class [\w,]+ \w+|linkStyle [\d,]+ [\w:#,.\-]+)$")


def check_mermaid(text: str) -> None:
    """The subset of Mermaid flowchart syntax we emit, line by line (mermaid-cli is not installed here)."""
    lines = text.splitlines()
    assert lines[0].startswith("%% ") and lines[1] == "flowchart TD"
    for line in lines[2:]:
        assert _M_NODE.match(line) or _M_EDGE.match(line) or _M_STYLE.match(line), line
    declared = {m.group(1) for line in lines if (m := _M_NODE.match(line))}
    used = {x for line in lines if (m := _M_EDGE.match(line)) for x in (m.group(1), m.group(4))}
    assert used <= declared


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.stem)
def test_mermaid_of_real_personas(path):
    persona = load_persona(path).persona
    text = to_mermaid(persona)
    check_mermaid(text)
    edges = [line for line in text.splitlines() if _M_EDGE.match(line)]
    assert len(edges) == sum(len(n.choices) for n in persona.nodes) + (1 if persona.break_off else 0)


def test_mermaid_of_nasty_text(nasty):
    text = to_mermaid(nasty)
    check_mermaid(text)
    assert "#quot;hallo#quot;" in text and "#lt;b#gt;" in text and "\\l back\\slash" in text
    assert "n0 -.->" in text  # conditional: dashed
    assert 'n0 ==>|"⚠ style' in text  # controlling: thick, marked in the label
    assert "linkStyle 1 stroke:#c62828" in text


def test_mermaid_endings_differ_in_shape_and_label_not_only_colour(nasty):
    text = to_mermaid(nasty)
    assert 'e0{{"✘ end<br/>uitkomst: Gesprek afgebroken"}}' in text  # broken_off: hexagon, ✘
    assert 'e1[["• eigen<br/>uitkomst: Een #quot;eigen#quot;' in text  # own outcome: subroutine, •
    assert 'e2(["✔ goed<br/>uitkomst: Eigen keuze afgesproken"])' in text  # own_choice: stadium, ✔
    assert "class e0 failed" in text and "class e1 custom" in text and "class e2 passed" in text


# --- Graphviz dot ----------------------------------------------------------------------------------------------

def check_dot(text: str) -> None:
    lines = text.splitlines()
    assert lines[0].startswith("digraph ") and lines[0].endswith("{") and lines[-1] == "}"
    for line in lines[1:-1]:
        assert line.startswith("    ") and line.endswith(";"), line
        # outside quoted strings, only ids, attributes and punctuation
        bare = re.sub(r'"(?:[^"\\]|\\.)*"', '""', line)
        assert '"' not in bare.replace('""', ""), line


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.stem)
def test_dot_of_real_personas(path):
    check_dot(to_dot(load_persona(path).persona))


def test_dot_of_nasty_text(nasty):
    text = to_dot(nasty)
    check_dot(text)
    assert r"\\l back\\slash \"hallo\"" in text  # dot would read \l as a line break
    assert '"end-1" -> "end" [label="1 · A \\"quote\\" | pipe\\nals:' in text
    assert "style=dashed" in text and 'color="#c62828"' in text
    assert "shape=octagon" in text and "shape=box3d" in text and "peripheries=2" in text
    assert '"_break_off"' in text


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed (apt-get install graphviz)")
@pytest.mark.parametrize("path", SOURCES + ["nasty"], ids=lambda p: getattr(p, "stem", p))
def test_dot_renders_with_graphviz(path, nasty):
    persona = nasty if path == "nasty" else load_persona(path).persona
    r = subprocess.run(["dot", "-Tsvg"], input=to_dot(persona), capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and r.stderr == "", r.stderr
    assert "<svg" in r.stdout


def test_render_rejects_an_unknown_format(nasty):
    with pytest.raises(ValueError):
        render(nasty, "png")


# --- CLI ---------------------------------------------------------------------------------------------------------

def _run(*args):
    return subprocess.run(trainer_cmd(*args), capture_output=True, text=True, env=subprocess_env(), cwd=ROOT,
                          timeout=120)


def test_cli_graph_to_stdout_and_files(tmp_path):
    example = str(ROOT / "docs" / "voorbeeld.yaml")
    r = _run("graph", example)
    assert r.returncode == 0 and r.stdout.splitlines()[1] == "flowchart TD"
    r = _run("graph", example, "--format", "dot")
    assert r.returncode == 0 and r.stdout.startswith('digraph "voorbeeld" {')
    r = _run("graph", example, "-o", str(tmp_path / "v.dot"))  # format from the file name
    assert r.returncode == 0 and (tmp_path / "v.dot").read_text(encoding="utf-8").startswith("digraph")
    r = _run("graph", example, "-o", str(tmp_path / "v.md"))  # Markdown: a mermaid code block
    assert (tmp_path / "v.md").read_text(encoding="utf-8").startswith("```mermaid\n%% voorbeeld")


def test_cli_graph_of_a_broken_persona_shows_the_errors():
    r = _run("graph", str(FIXTURES / "broken" / "km021-unknown-next.yaml"))
    assert r.returncode == 1 and "KM021" in r.stderr and r.stdout == ""
