"""trainer schema [-o FILE] — the JSON Schema of the persona format (for editors)."""

from __future__ import annotations


def add_parser(sub) -> None:
    p = sub.add_parser("schema", help="print the JSON Schema of the persona format (editor completion)",
                       description="Print the JSON Schema of persona files. Editors with the YAML language server "
                                   "use it through the first line of a persona: "
                                   "# yaml-language-server: $schema=../schemas/persona.schema.json")
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of standard output")
    p.set_defaults(run=run)


def run(args) -> int:
    import sys
    from pathlib import Path

    from trainer.persona.schema import schema_text

    text = schema_text()
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"{args.output}: written", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0
