"""Atomic file writes, and file names made from file content.

`write_bytes_atomic`: the data goes to an unnamed temporary file in the target's folder (Linux O_TMPFILE: a
process killed while writing leaves nothing behind), is flushed to disk, gets a name and is renamed over the
target: a reader never sees half a file. Where O_TMPFILE is not available, a named temp file
`.<name>.<pid>.<random>.tmp` is used; it is removed on any error, and leftovers of killed writers (whose process
no longer runs) are swept away by the next write to the same target.

`safe_file_name`: session ids come from journals, which can be handed in by anyone; they never become a path.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_file_name(name: str, fallback: str = "session", limit: int = 120) -> str:
    """A plain file name (letters, digits, . _ -) from text: no folders, no leading dot, never empty."""
    cleaned = _UNSAFE.sub("_", str(name)).strip("._")[:limit]
    return cleaned or fallback


class UniqueNames:
    """Callable: a safe, not yet used file name for a record and suffix (two ids that clean up the same differ)."""

    def __init__(self):
        self.used: set[str] = set()

    def __call__(self, record_or_id, suffix: str) -> str:
        sid = getattr(record_or_id, "session_id", record_or_id)
        base = safe_file_name(sid)
        name, n = base + suffix, 1
        while name.lower() in self.used:
            n += 1
            name = f"{base}-{n}{suffix}"
        self.used.add(name.lower())
        return name


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def sweep_stale_temps(path: Path) -> None:
    """Remove `.<name>.<pid>.*.tmp` files next to path whose writer process is gone."""
    folder = path.parent if str(path.parent) else Path(".")
    prefix = f".{path.name}."
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        if not (entry.name.startswith(prefix) and entry.name.endswith(".tmp")):
            continue
        pid = entry.name[len(prefix):].split(".", 1)[0]
        if pid.isdigit() and int(pid) != os.getpid() and not _pid_alive(int(pid)):
            try:
                os.unlink(entry.path)
            except OSError:
                pass


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view[:1 << 20])
        view = view[written:]


def _fsync_folder(folder: Path) -> None:
    try:  # make the rename itself durable
        dfd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
    except OSError:
        pass


def _write_unnamed(path: Path, folder: Path, data: bytes, mode: int) -> bool:
    """O_TMPFILE route; False when the system or file system does not support it."""
    flag = getattr(os, "O_TMPFILE", None)
    if flag is None or not os.path.isdir("/proc/self/fd"):
        return False
    try:
        fd = os.open(folder, flag | os.O_WRONLY, mode)
    except OSError:
        return False
    tmp = None
    try:
        _write_all(fd, data)
        os.fsync(fd)
        os.fchmod(fd, mode)
        name = f".{path.name}.{os.getpid()}.{os.urandom(4).hex()}.tmp"
        try:  # linkat(AT_SYMLINK_FOLLOW) gives the unnamed file a name; dst_dir_fd makes Python use linkat
            dfd = os.open(folder, os.O_RDONLY)
            try:
                os.link(f"/proc/self/fd/{fd}", name, dst_dir_fd=dfd, follow_symlinks=True)
            finally:
                os.close(dfd)
        except OSError:
            return False
        tmp = folder / name
        os.replace(tmp, path)
        tmp = None
    finally:
        os.close(fd)
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass
    _fsync_folder(folder)
    return True


def write_bytes_atomic(path: str | Path, data: bytes, mode: int | None = None) -> None:
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if mode is None:  # give the file what a plain open() would (or keep the permissions of the file it replaces)
        mode = _default_mode(path)
    sweep_stale_temps(path)
    if _write_unnamed(path, folder, data, mode):
        return
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    _fsync_folder(folder)


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
