"""trainer explain KM021 (also: trainer uitleg) — the explanation of a diagnostic code, from docs/diagnostics.md."""

from __future__ import annotations


def add_parser(sub) -> None:
    p = sub.add_parser("explain", aliases=["uitleg"], help="explain a diagnostic code, e.g. trainer explain KM021",
                       description="Toon de uitleg bij een meldingscode (KM001-KM116): wat er mis is, een voorbeeld "
                                   "en de oplossing, uit docs/diagnostics.md.")
    p.add_argument("code", nargs="?", help="de code, bijv. KM021 (of 21); zonder code: de lijst van alle codes")
    p.set_defaults(run=run)


def section(page: str, code: str) -> str | None:
    """The part of the diagnostics page about `code` (from its anchor up to the next one), or None."""
    start = page.find(f'<a id="{code}"></a>')
    if start < 0:
        return None
    body = page[start:].split("\n", 1)[1] if "\n" in page[start:] else ""
    end = body.find('<a id="KM')
    return (body if end < 0 else body[:end]).strip()


def normalise(code: str) -> str:
    import re

    code = code.strip().upper()
    digits = re.fullmatch(r"(?:KM)?0*(\d{1,3})", code)
    return f"KM{int(digits.group(1)):03d}" if digits else code


def run(args) -> int:
    import sys
    from pathlib import Path

    from trainer.persona.diagnostics import CODES

    if not args.code:
        for code, title in CODES.items():
            print(f"{code}  {title}")
        return 0
    code = normalise(args.code)
    if code not in CODES:
        import difflib

        close = difflib.get_close_matches(code, list(CODES), n=3, cutoff=0.6)
        hint = f" Bedoelt u {' of '.join(close)}?" if close else ""
        print(f"trainer explain: onbekende code '{args.code}'.{hint} Alle codes: trainer explain", file=sys.stderr)
        return 1
    page_path = Path(__file__).resolve().parents[2] / "docs" / "diagnostics.md"
    text = None
    if page_path.is_file():
        text = section(page_path.read_text(encoding="utf-8"), code)
    if text is None:  # an installed copy without the docs folder: at least the title
        text = f"## {code} · {CODES[code]}\n\n(De volledige uitleg staat in docs/diagnostics.md van het project.)"
    print(text)
    return 0
