"""trainer graph PERSONA [--format mermaid|dot] [-o FILE] — draw the conversation as a graph."""

from __future__ import annotations

from trainer.commands.common import add_persona_dirs


def add_parser(sub) -> None:
    p = sub.add_parser("graph", help="draw a persona's conversation as a Mermaid or Graphviz graph",
                       description="Draw the nodes, choices and endings of a persona. Mermaid renders in GitHub, "
                                   "GitLab and many editors; dot renders with Graphviz: "
                                   "dot -Tsvg henk.dot -o henk.svg")
    p.add_argument("persona", help="persona id or file")
    p.add_argument("--format", choices=["mermaid", "dot", "seams"], default=None,
                   help="output format (default: from the -o file name: .dot/.gv = dot, otherwise mermaid); "
                        "seams: every opening after the choices that lead to it, to read for replies that do "
                        "not fit")
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE (.md wraps Mermaid in a code block)")
    add_persona_dirs(p)
    p.set_defaults(run=run)


MERMAID_MAX_EDGES = 500  # Mermaid's default limit; larger graphs need its maxEdges setting


def run(args) -> int:
    import sys
    from pathlib import Path

    from trainer.commands.common import load_or_report
    from trainer.persona.graph import render

    loaded = load_or_report(args.persona, args.personas, "graph")
    if loaded is None:
        return 1
    persona = loaded.persona
    suffix = Path(args.output).suffix.lower() if args.output else ""
    fmt = args.format or ("dot" if suffix in (".dot", ".gv") else "mermaid")
    text = render(persona, fmt)
    if fmt == "mermaid" and suffix == ".md":
        text = f"```mermaid\n{text}```\n"
    edges = sum(len(n.choices) for n in persona.nodes)
    if fmt == "mermaid" and edges > MERMAID_MAX_EDGES:
        print(f"note: {edges} arrows; Mermaid draws at most {MERMAID_MAX_EDGES} by default. "
              "Use --format dot for a persona this large.", file=sys.stderr)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"{args.output}: {fmt} graph of {persona.id} ({len(persona.nodes)} nodes, {edges} choices)",
              file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0
