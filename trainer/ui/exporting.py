"""The debrief's export buttons: the canonical session record as JSON, or the printable HTML report, both made by
`trainer.export` (the same code as `trainer export`). When that package is not there the buttons are disabled with
a tooltip. Files go to `<sessions folder>/exports/<session id>.json|.html`. No textual import."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Callable

REQUIRES = {
    "json": ("trainer.export.load", "trainer.export.record", "trainer.export.fileio"),
    "html": ("trainer.export.load", "trainer.export.html", "trainer.export.fileio"),
}
SUFFIX = {"json": ".json", "html": ".html"}


def _record(run, lang: str, persona_dirs: list[str], analyser):
    from trainer.export.load import Loader

    return Loader(persona_dirs, analyser, lang).record(run.journal.path)


def _write_json(run, lang: str, path: Path, persona_dirs: list[str], analyser) -> None:
    from trainer.export.fileio import write_bytes_atomic
    from trainer.export.record import record_to_dict

    data = json.dumps(record_to_dict(_record(run, lang, persona_dirs, analyser)), ensure_ascii=False, indent=2)
    write_bytes_atomic(path, (data + "\n").encode("utf-8"))


def _write_html(run, lang: str, path: Path, persona_dirs: list[str], analyser) -> None:
    from trainer.export.fileio import write_bytes_atomic
    from trainer.export.html import render_html

    write_bytes_atomic(path, render_html([_record(run, lang, persona_dirs, analyser)], lang).encode("utf-8"))


EXPORTERS: dict[str, Callable] = {"json": _write_json, "html": _write_html}


def _importable(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def find_exporter(kind: str) -> Callable | None:
    """The writer for `kind`, or None when trainer.export (or the part it needs) is not there."""
    fn = EXPORTERS.get(kind)
    if fn is None:
        return None
    if fn in (_write_json, _write_html) and not all(_importable(m) for m in REQUIRES[kind]):
        return None
    return fn


def export(kind: str, run, lang: str, *, persona_dirs: list[str] | None = None, analyser=None,
           folder: Path | None = None) -> Path:
    """Write the session as `kind`; returns the path. Raises LookupError when exporting is not available."""
    fn = find_exporter(kind)
    if fn is None:
        raise LookupError(kind)
    folder = folder or run.journal.path.parent / "exports"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{run.session_id}{SUFFIX[kind]}"
    fn(run, lang, path, list(persona_dirs or []), analyser)
    return path
