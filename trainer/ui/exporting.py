"""Guarded use of `trainer.export` (written by the exports work): the debrief's export buttons call it when it is
there and are disabled, with a tooltip, when it is not. No textual import."""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path
from typing import Callable

# (module, function) candidates per format, first found wins
CANDIDATES = {
    "json": [("trainer.export.json_export", "write_json"), ("trainer.export.record", "write_json"),
             ("trainer.export.json", "write_json"), ("trainer.export", "write_json"), ("trainer.export", "export_json")],
    "html": [("trainer.export.html", "write_html"), ("trainer.export.report", "write_html"),
             ("trainer.export", "write_html"), ("trainer.export", "export_html")],
}
SUFFIX = {"json": ".json", "html": ".html"}


def find_exporter(kind: str) -> Callable | None:
    for module, name in CANDIDATES.get(kind, []):
        try:
            mod = importlib.import_module(module)
        except ImportError:
            continue
        fn = getattr(mod, name, None)
        if callable(fn):
            return fn
    return None


def export(kind: str, run, lang: str, folder: Path | None = None) -> Path:
    """Write the session as `kind` next to its journal (or into `folder`); returns the path written."""
    fn = find_exporter(kind)
    if fn is None:
        raise LookupError(kind)
    folder = folder or run.journal.path.parent
    path = folder / f"{run.session_id}{SUFFIX[kind]}"
    params = inspect.signature(fn).parameters
    available = {"session": run.session, "run": run, "path": path, "out": path, "dest": path, "lang": lang,
                 "journal": run.journal.path, "header": run.header}
    kwargs = {k: v for k, v in available.items() if k in params}
    result = fn(**kwargs)
    return Path(result) if isinstance(result, (str, Path)) else path
