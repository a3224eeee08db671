"""Atomic file writes: a temp file in the same folder, fsync, os.replace. A reader never sees half a file."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_bytes_atomic(path: str | Path, data: bytes, mode: int | None = None) -> None:
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if mode is None:  # mkstemp makes 0600; give the file what a plain open() would
            mode = _default_mode(path)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    try:  # make the rename itself durable
        dfd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
    except OSError:
        pass


def _default_mode(path: Path) -> int:
    try:
        return os.stat(path).st_mode & 0o7777  # replacing a file: keep its permissions
    except OSError:
        pass
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def write_text_atomic(path: str | Path, text: str, encoding: str = "utf-8", mode: int | None = None) -> None:
    write_bytes_atomic(path, text.encode(encoding), mode)
