"""Draw a persona's conversation as a graph: a Mermaid flowchart or a Graphviz dot file.

Nodes show their id and the first words of the line. Each choice is an arrow labelled with its number (or
own id) and the first words of its text; conditional choices are dashed and say "als: <voorwaarde>",
controlling ones are red and bold and start with "⚠". Endings differ by outcome in colour *and* in shape and
label (✔ good outcome, ✘ not good, • persona-defined), so the drawing also reads in black and white.
"""

from __future__ import annotations

from dataclasses import dataclass

from trainer.persona.flow import choice_id
from trainer.persona.model import Choice, Persona
from trainer.vocab import OUTCOMES

FORMATS = ("mermaid", "dot", "seams")


def short(text: str, words: int = 6, chars: int = 40) -> str:
    """The first words of a text, on one line, with '…' when cut."""
    flat = " ".join(text.split())
    cut = " ".join(flat.split(" ")[:words])
    if len(cut) > chars:
        cut = cut[: chars - 1].rstrip()
    return cut + ("…" if cut != flat else "")


@dataclass(frozen=True)
class _Ending:
    kind: str  # "passed", "failed" or "custom"
    mark: str
    label: str


def _ending_style(persona: Persona, outcome: str) -> _Ending:
    if outcome in OUTCOMES:
        passed = OUTCOMES[outcome]["passed"]
        return _Ending("passed" if passed else "failed", "✔" if passed else "✘", OUTCOMES[outcome]["nl"])
    return _Ending("custom", "•", persona.outcomes.get(outcome, outcome))


def _edge_label(node_id: str, index: int, choice: Choice) -> list[str]:
    name = choice.id or str(index + 1)
    lines = [f"{'⚠ ' if choice.controlling else ''}{name} · {short(choice.text, 5, 32)}"]
    if choice.when:
        lines.append(f"als: {short(choice.when, 8, 40)}")
    return lines


def _node_label(persona: Persona, node) -> list[str]:
    head = f"▶ {node.id} (start)" if node.id == persona.start else node.id
    return [head, short(node.say)]


def _ending_label(persona: Persona, end) -> list[str]:
    style = _ending_style(persona, end.outcome)
    return [f"{style.mark} {end.id}", f"uitkomst: {style.label}"]


# --- Mermaid ---------------------------------------------------------------------------------------------------

_MERMAID_ESCAPES = {"#": "#35;", '"': "#quot;", "<": "#lt;", ">": "#gt;", "&": "#amp;", "|": "#124;", "`": "#96;"}


def mermaid_text(line: str) -> str:
    """Text that is safe inside a quoted Mermaid label: entity codes for the characters Mermaid would parse."""
    return "".join(_MERMAID_ESCAPES.get(ch, ch) for ch in line)


def _mermaid_label(lines: list[str]) -> str:
    return '"' + "<br/>".join(mermaid_text(line) for line in lines) + '"'


def to_mermaid(persona: Persona) -> str:
    # Mermaid ids are generated (n0, e0): persona ids may be words Mermaid reserves, such as "end".
    ids = {node.id: f"n{i}" for i, node in enumerate(persona.nodes)}
    ids.update({end.id: f"e{i}" for i, end in enumerate(persona.endings)})
    out = [f"%% {mermaid_text(persona.id)}: trainer graph --format mermaid", "flowchart TD"]
    for node in persona.nodes:
        out.append(f"    {ids[node.id]}[{_mermaid_label(_node_label(persona, node))}]")
    classes: dict[str, list[str]] = {"passed": [], "failed": [], "custom": []}
    for end in persona.endings:
        style = _ending_style(persona, end.outcome)
        label = _mermaid_label(_ending_label(persona, end))
        shape = {"passed": f"([{label}])", "failed": f"{{{{{label}}}}}", "custom": f"[[{label}]]"}[style.kind]
        out.append(f"    {ids[end.id]}{shape}")
        classes[style.kind].append(ids[end.id])
    edges = 0
    red: list[int] = []
    for node in persona.nodes:
        for i, choice in enumerate(node.choices):
            arrow = "==>" if choice.controlling else "-.->" if choice.when else "-->"
            label = _mermaid_label(_edge_label(node.id, i, choice))
            out.append(f"    {ids[node.id]} {arrow}|{label}| {ids[choice.next]}")
            if choice.controlling:
                red.append(edges)
            edges += 1
    if persona.break_off:
        label = _mermaid_label(["afbreken", f"als: {short(persona.break_off.when, 8, 40)}"])
        out.append(f"    brk{{{label}}}")
        out.append(f"    brk -.-> {ids[persona.break_off.ending]}")
        edges += 1
    out += [
        "    classDef start stroke-width:3px",
        "    classDef passed fill:#e8f5e9,stroke:#2e7d32,color:#1b5e20",
        "    classDef failed fill:#ffebee,stroke:#c62828,color:#b71c1c",
        "    classDef custom fill:#eeeeee,stroke:#616161,color:#212121",
        f"    class {ids[persona.start]} start",
    ]
    out += [f"    class {','.join(members)} {kind}" for kind, members in classes.items() if members]
    if red:
        out.append(f"    linkStyle {','.join(map(str, red))} stroke:#c62828,stroke-width:2px")
    return "\n".join(out) + "\n"


# --- Graphviz dot ----------------------------------------------------------------------------------------------

def dot_string(text: str) -> str:
    """A quoted dot string; backslashes are escaped so dot does not read \\l, \\N etc. in persona text."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def _dot_label(lines: list[str]) -> str:
    return '"' + "\\n".join(dot_string(line)[1:-1] for line in lines) + '"'


_DOT_ENDINGS = {
    "passed": 'shape=ellipse, peripheries=2, fillcolor="#e8f5e9", color="#2e7d32"',
    "failed": 'shape=octagon, fillcolor="#ffebee", color="#c62828"',
    "custom": 'shape=box3d, fillcolor="#eeeeee", color="#616161"',
}


def to_dot(persona: Persona) -> str:
    out = [
        f"digraph {dot_string(persona.id)} {{",
        '    graph [rankdir=TB, fontname="Helvetica"];',
        '    node [shape=box, style="rounded,filled", fillcolor="#ffffff", fontname="Helvetica", fontsize=11];',
        '    edge [fontname="Helvetica", fontsize=9];',
    ]
    for node in persona.nodes:
        extra = ", penwidth=3" if node.id == persona.start else ""
        out.append(f"    {dot_string(node.id)} [label={_dot_label(_node_label(persona, node))}{extra}];")
    for end in persona.endings:
        style = _ending_style(persona, end.outcome)
        out.append(f"    {dot_string(end.id)} [label={_dot_label(_ending_label(persona, end))}, "
                   f"style=filled, {_DOT_ENDINGS[style.kind]}];")
    for node in persona.nodes:
        for i, choice in enumerate(node.choices):
            attrs = [f"label={_dot_label(_edge_label(node.id, i, choice))}",
                     f"tooltip={dot_string(choice_id(node.id, i, choice.id))}"]
            if choice.when:
                attrs.append("style=dashed")
            if choice.controlling:
                attrs.append('color="#c62828", fontcolor="#c62828", penwidth=2')
            out.append(f"    {dot_string(node.id)} -> {dot_string(choice.next)} [{', '.join(attrs)}];")
    if persona.break_off:
        # "_break_off" cannot clash: persona ids start with a letter or digit
        label = _dot_label(["afbreken", f"als: {short(persona.break_off.when, 8, 40)}"])
        out.append(f'    "_break_off" [label={label}, shape=diamond, style=dashed];')
        out.append(f'    "_break_off" -> {dot_string(persona.break_off.ending)} [style=dashed];')
    out.append("}")
    return "\n".join(out) + "\n"


def to_seams(persona: Persona) -> str:
    """Every node and ending with the choices that lead into it, as text to read.

    A node reached from several choices must fit all of them: its opening line answers whatever was said just
    before. Reading each incoming choice followed by the opening (and its phase variants) shows the seams where a
    reply answers something else.
    """
    incoming: dict[str, list[tuple[str, Choice]]] = {}
    for node in persona.nodes:
        for i, choice in enumerate(node.choices):
            incoming.setdefault(choice.next, []).append((choice_id(node.id, i, choice.id), choice))
    out = [f"# {persona.id}: every opening after the choices that lead to it (trainer graph --format seams)"]
    targets = [("node", n.id, n.say, n.variants) for n in persona.nodes]
    targets += [("ending", e.id, e.say, e.variants) for e in persona.endings]
    for kind, target, say, variants in targets:
        sources = incoming.get(target, [])
        head = f"{kind} {target}" + (" (start)" if target == persona.start else "")
        out.append("")
        out.append(f"== {head} — {len(sources)} incoming")
        for cid, choice in sources:
            out.append(f"  <- {cid}{' ⚠' if choice.controlling else ''}: {' '.join(choice.text.split())}")
        out.append(f"  say: {' '.join(say.split())}")
        for phase, text in variants.items():
            out.append(f"  [{phase}]: {' '.join(text.split())}")
    return "\n".join(out) + "\n"


def render(persona: Persona, fmt: str) -> str:
    if fmt == "seams":
        return to_seams(persona)
    if fmt == "mermaid":
        return to_mermaid(persona)
    if fmt == "dot":
        return to_dot(persona)
    raise ValueError(f"unknown format {fmt!r}; choose {' or '.join(FORMATS)}")
