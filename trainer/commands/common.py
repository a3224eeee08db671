"""Options several commands share."""

from __future__ import annotations

import argparse


def add_persona_dirs(p: argparse.ArgumentParser) -> None:
    p.add_argument("--personas", action="append", metavar="DIR", default=[],
                   help="extra folder with persona files (repeatable; also GESPREKSTRAINER_PERSONAS)")


def add_sessions_dir(p: argparse.ArgumentParser) -> None:
    p.add_argument("--sessions", metavar="DIR", default=None,
                   help="folder for session journals (default: your user data folder; also GESPREKSTRAINER_SESSIONS)")


def add_lang(p: argparse.ArgumentParser) -> None:
    p.add_argument("--lang", choices=["nl", "en"], default=None, help="language of the interface (default nl; also GESPREKSTRAINER_LANG)")


def resolve_lang(args) -> str:
    import os

    lang = getattr(args, "lang", None) or os.environ.get("GESPREKSTRAINER_LANG", "nl")
    return lang if lang in ("nl", "en") else "nl"


def persona_files(paths: list[str], persona_dirs: list[str]) -> tuple[list[str], list[str]]:
    """Expand files/folders/ids into persona files. Returns (files, problems)."""
    from pathlib import Path

    from trainer.persona.registry import UnknownPersona, available, resolve

    files: list[str] = []
    problems: list[str] = []
    if not paths:
        return [str(p) for p in available(persona_dirs).values()], problems
    for item in paths:
        path = Path(item)
        if path.is_dir():
            files += [str(p) for p in sorted(path.glob("*.y*ml")) if p.suffix in (".yaml", ".yml")]
        elif path.is_file():
            files.append(str(path))
        else:
            try:
                files.append(str(resolve(item, persona_dirs)))
            except UnknownPersona as exc:
                problems.append(f"{item}: {exc}" if path.suffix else str(exc))
    return files, problems


def print_guide_hint(file=None) -> None:
    """Point trainers at the page that explains every diagnostic code (printed once, after the diagnostics)."""
    import sys
    from pathlib import Path

    guide = Path(__file__).resolve().parents[2] / "docs" / "diagnostics.md"
    shown = "docs/diagnostics.md"
    if guide.is_file():
        try:
            shown = str(guide.relative_to(Path.cwd()))
        except ValueError:
            shown = str(guide)
    from trainer.persona.messages import m

    print(m("guide_hint", path=shown), file=file or sys.stderr)


def count_words(diags) -> str:
    """'1 error, 2 warnings' style counts for a summary line."""
    from trainer.persona.messages import m

    parts = []
    for severity in ("error", "warning", "info"):
        n = sum(d.severity == severity for d in diags)
        if n:
            parts.append(m(f"count_{severity}{'s' if n != 1 else ''}", n=n))
    return ", ".join(parts)


def load_or_report(ident: str, persona_dirs: list[str], command: str):
    """Load a persona by id or path; on failure print the reason (diagnostics, or the known ids) and return None."""
    import sys

    from trainer.persona.diagnostics import PersonaError
    from trainer.persona.loader import load_persona
    from trainer.persona.registry import UnknownPersona, resolve

    try:
        return load_persona(resolve(ident, persona_dirs))
    except UnknownPersona as exc:
        print(f"trainer: {exc}", file=sys.stderr)
    except PersonaError as exc:
        for d in exc.diagnostics:
            print(d, file=sys.stderr)
        print(f"trainer {command}: fix these errors first (trainer validate)", file=sys.stderr)
    return None
