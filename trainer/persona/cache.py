"""Validated personas kept in the user cache folder, so a persona that passed is not parsed and validated again.

`trainer play` pays for parsing the YAML, loading pydantic and validating on every start (about 0.3 s before the
persona's first line); with this, only the first start after an edit (or after an update of the program) does.

- Key: a hash of the persona file's exact bytes and of the source of every module that decides what a valid file
  becomes (`CODE`). An edited file or a new version of those modules simply has another key; nothing is looked up
  by path or by time.
- Only a file without errors is ever written, after the full check (`loader.load_persona`); diagnostics of a
  broken file therefore always come from the real check, with their `file:line:col`.
- The entry is plain JSON (the persona's fields, `model.to_data`), never pickle: reading it runs no code.
  Its first line is a hash of the rest; an entry whose hash does not match, that does not parse, or that does not
  fit the model exactly (a key missing or unknown) is ignored and rewritten after a normal check, never trusted.
- Written atomically (temp file + rename); the folder keeps the newest `MAX_ENTRIES` (a trainer who saves a
  persona in `--debug` playtest creates one per save). No cache when the folder is off (GESPREKSTRAINER_CACHE=off)
  or not writable: then every load checks the file, as before.
- Not in the key: the installed pydantic's version (finding it costs as much as the cache saves on small files);
  the shape models are strict, so an upgrade is not expected to change which files pass.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

from trainer.persona import model

# What turns a file's bytes into a Persona; a change to any of them makes every entry stale.
CODE = ("cache.py", "model.py", "shape.py", "loader.py", "semantics.py", "yamlsrc.py", "conditions.py",
        "diagnostics.py", "../vocab.py")
MAX_ENTRIES = 100  # about 100 KB each for a shipped persona

_code_hash: list[bytes] = []


def _code() -> bytes:
    if not _code_hash:
        h = hashlib.blake2b(digest_size=16)
        here = Path(__file__).parent
        for name in CODE:
            data = (here / name).read_bytes()
            h.update(len(data).to_bytes(8, "little") + data)
        _code_hash.append(h.digest())
    return _code_hash[0]


def _digest(payload: bytes) -> str:
    return hashlib.blake2b(payload, digest_size=16).hexdigest()


class Entry:
    """The cache entry of one file's bytes (see the module doc)."""

    def __init__(self, path: Path):
        self.path = path

    def read(self) -> model.Persona | None:
        try:
            with open(self.path, "rb") as fh:
                head, _, payload = fh.read().partition(b"\n")
            if head.decode("ascii") != _digest(payload):
                return None
            return model.from_data(json.loads(payload))
        except (OSError, ValueError, TypeError, KeyError, AttributeError, RecursionError):
            return None

    def write(self, persona: model.Persona) -> bool:
        """False when the folder cannot be written (the cache then only saves nothing)."""
        payload = json.dumps(model.to_data(persona), ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        tmp = None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".persona-", suffix=".tmp")
            with os.fdopen(fd, "wb") as fh:
                fh.write(_digest(payload).encode("ascii") + b"\n" + payload)
            os.replace(tmp, self.path)
            _prune(self.path.parent)
            return True
        except OSError:
            if tmp is not None:
                try:
                    os.unlink(tmp)
                except OSError:
                    pass
            return False


def _prune(folder: Path) -> None:
    """Remove the oldest entries beyond MAX_ENTRIES (only after a write, which follows a full check anyway)."""
    found = []
    for path in folder.glob("*.json"):
        try:
            found.append((path.stat().st_mtime_ns, path))
        except OSError:
            pass  # removed meanwhile by another process
    for _mtime, path in sorted(found, reverse=True)[MAX_ENTRIES:]:
        try:
            path.unlink()
        except OSError:
            pass


def entry(raw: bytes) -> Entry | None:
    """The entry for a persona file's bytes; None when disk caches are off or the program's files are unreadable."""
    from trainer.paths import cache_dir

    folder = cache_dir()
    if folder is None:
        return None
    try:
        code = _code()
    except OSError:
        return None
    key = hashlib.blake2b(code + raw, digest_size=16).hexdigest()
    return Entry(folder / "personas" / f"{key}.json")
