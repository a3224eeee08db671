"""Find personas by id in the shipped folder and in trainers' extra folders."""

from __future__ import annotations

from pathlib import Path

from trainer.paths import persona_dirs


class UnknownPersona(LookupError):
    def __init__(self, ident: str, known: list[str]):
        self.ident = ident
        self.known = known
        listing = ", ".join(known) if known else "(none found)"
        super().__init__(f"unknown persona '{ident}'. Known personas: {listing}")


def available(extra: list[str] | None = None) -> dict[str, Path]:
    """id -> file, for every *.yaml in the persona folders (earlier folders win)."""
    found: dict[str, Path] = {}
    for folder in persona_dirs(extra):
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.y*ml")):
            if path.suffix in (".yaml", ".yml") and path.stem not in found:
                found[path.stem] = path
    return found


def resolve(ident: str, extra: list[str] | None = None) -> Path:
    """A persona id (e.g. 'henk') or a path to a persona file."""
    as_path = Path(ident)
    if as_path.suffix in (".yaml", ".yml") and as_path.is_file():
        return as_path
    known = available(extra)
    if ident in known:
        return known[ident]
    raise UnknownPersona(ident, sorted(known))
