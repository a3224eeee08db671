"""Crash-safe session journal: one JSON object per line, flushed and fsynced after every turn.

The journal holds the header (persona id and content hash, trainee, mode, start) and the trainee's actions.
Because the engine is deterministic, replaying the actions rebuilds the exact session; that is how a session is
resumed after the terminal was killed, and how exports and the debrief read a finished session.
"""

from __future__ import annotations

import errno
import json
import os
import re
import secrets
import weakref
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from trainer.engine.session import Analyser, MachineError, Session, SessionError, Turn
from trainer.persona.diagnostics import PersonaError
from trainer.persona.loader import LoadedPersona, load_persona
from trainer.persona.registry import UnknownPersona, resolve
from trainer.safe_text import has_surrogates

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None

JOURNAL_SCHEMA = 1


class ResumeError(Exception):
    """A journal that cannot be continued; the message says why, for a person."""


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def new_session_id(persona_id: str) -> str:
    stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")
    return f"{stamp}-{persona_id}-{secrets.token_hex(2)}"


@dataclass
class JournalData:
    path: Path
    header: dict
    events: list[dict]
    truncated: bool = False  # the last line was cut off (killed mid-write) and was ignored
    warnings: list[str] = field(default_factory=list)
    damaged: str | None = None  # "PATH:LINE: why": the events stop before that line (read with strict=False)

    @property
    def session_id(self) -> str:
        sid = self.header.get("session")
        return sid if isinstance(sid, str) and _SAFE_ID.match(sid) else self.path.stem


# Limits on reading: a journal is a few KB per turn (a typed line is at most MAX_TYPED_CHARS characters), so
# anything far beyond these is not one of ours and must not be read into memory whole.
MAX_JOURNAL_BYTES = 16 * 1024 * 1024
MAX_LINE_BYTES = 256 * 1024
_SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")


_HEADER_TYPES = {"session": str, "persona_path": str, "persona_hash": str, "trainee": str, "mode": str, "lang": str,
                 "started": str, "start": (str, type(None)), "meters": (dict, type(None)), "free_text": bool}


def _parse_line(line: bytes, suspicious: bool = True) -> tuple[dict | None, str | None]:
    """(record, None) or (None, why the line is unreadable). Never raises: journals are untrusted input."""
    if len(line) > MAX_LINE_BYTES:
        return None, f"a line longer than {MAX_LINE_BYTES // 1024} KB"
    try:
        record = json.loads(line.decode("utf-8"))
    except UnicodeDecodeError:
        return None, "not UTF-8 text"
    except RecursionError:
        return None, "nested too deeply"
    except ValueError:  # JSONDecodeError, and integers longer than Python converts
        return None, "not valid JSON"
    if not isinstance(record, dict):
        return None, "not a JSON object"
    if suspicious and (b"\\ud" in line or b"\\uD" in line) and has_surrogates(record):  # only an escape can
        # smuggle a lone surrogate into valid UTF-8
        return None, "an invalid character (a lone surrogate)"
    return record, None


_scan_json = json.JSONDecoder().scan_once  # the scanner json.loads runs


def read_journal(path: str | Path, strict: bool = True) -> JournalData:
    """Read a journal. A damaged line in the middle raises ResumeError, or with strict=False gives the records
    before it and `damaged` says where and why (what can be replayed stays usable)."""
    path = Path(path)
    try:
        with open(path, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            if size > MAX_JOURNAL_BYTES:
                raise ResumeError(f"{path}: the session file is too large ({size / 1e6:.0f} MB; a session journal "
                                  f"stays below {MAX_JOURNAL_BYTES // (1024 * 1024)} MB)")
            raw = fh.read(size + 1)  # not read(MAX): that would allocate the whole cap for every journal
            if len(raw) > size:  # grew while we read (a session being played): the rest, within the cap
                raw += fh.read(MAX_JOURNAL_BYTES - size)
    except OSError as exc:
        raise ResumeError(f"cannot read session {path}: {exc.strerror or exc}") from None
    lines = raw.split(b"\n")
    truncated = False
    if lines and lines[-1] == b"":
        lines.pop()
    elif lines:
        truncated = True  # no newline at the end: the write of that line never finished
        lines.pop()
    records = []
    damaged = None
    suspicious = b"\\ud" in raw or b"\\uD" in raw  # a \\udXXX escape somewhere: check strings for surrogates
    for number, line in enumerate(lines, 1):
        if not suspicious and len(line) <= MAX_LINE_BYTES:  # the fast path: every line of a healthy journal
            try:
                text = line.decode("utf-8")
                record, end = _scan_json(text, 0)  # json.loads without its whitespace steps (lines have none)
                if end == len(text) and type(record) is dict:
                    records.append(record)
                    continue
            except (ValueError, RecursionError, StopIteration):  # incl. UnicodeDecodeError: the slow path says
                pass  # which (and reads a line with surrounding whitespace the way json.loads does)
        record, why = _parse_line(line, suspicious)
        if why is None:
            records.append(record)
            continue
        if number == 1:
            raise ResumeError(f"{path} is not a session journal (no start record: {why})")
        if number == len(lines):
            truncated = True
            break
        damaged = f"{path}:{number}: the session file is damaged ({why})"
        if strict:
            raise ResumeError(damaged)
        break
    head = records[0] if records else {}
    if head.get("type") != "start" or not isinstance(head.get("persona"), str):
        raise ResumeError(f"{path} is not a session journal (no start record)")
    for key, kinds in _HEADER_TYPES.items():
        if key in head and not isinstance(head[key], kinds):  # every reader may rely on these types
            raise ResumeError(f"{path}:1: the session file is damaged (`{key}` in the start record is not "
                              f"{'text' if kinds is str else 'what a journal holds'})")
    return JournalData(path, head, records[1:], truncated, damaged=damaged)


def actions(events: list[dict]) -> list[dict]:
    """The effective actions after applying undo events."""
    out: list[dict] = []
    for ev in events:
        if ev.get("type") in ("choose", "fallback", "react"):
            out.append(ev)
        elif ev.get("type") == "undo" and out:
            out.pop()
    return out


def replay(session: Session, events: list[dict], reanalyse: bool = False) -> None:
    """Apply journal actions to a fresh session (raises SessionError on a mismatch).

    Turns are replayed with the analyser categories recorded when they were played, so a newer lexicon cannot
    change an old session; `reanalyse=True` (a trainer's playtest of an edited persona) analyses them again."""
    for ev in actions(events):
        if session.ended:
            raise SessionError("the journal continues after the conversation ended")
        if not isinstance(ev.get("typed", ""), (str, type(None))):  # the debrief and exports read it as text
            raise SessionError("a typed line in the journal is not text")
        detected = None if reanalyse else ev.get("detected")
        if ev["type"] == "choose" and not reanalyse:
            _check_choice_text(session, ev)
        if ev["type"] == "choose":
            # a typed line records the codes of its act; older journals (and clicked choices) use the choice's
            session.choose(ev["choice"], typed=ev.get("typed"), score=ev.get("score"), extra_picks=ev.get("picks", ()),
                           own_picks=ev.get("own_picks"), detected=detected,
                           codes=tuple(ev["codes"]) if "codes" in ev else None, act=ev.get("act"))
        elif ev["type"] == "react":
            # an edited persona (reanalyse) may answer with another rule or line; otherwise exactly the recorded one
            session.react(ev["typed"], ev["act"], codes=tuple(ev.get("codes", ())), extra_picks=ev.get("picks", ()),
                          detected=detected, reaction=None if reanalyse else ev.get("reaction"),
                          line=None if reanalyse else ev.get("line"))
        else:
            session.fallback(ev["typed"], codes=tuple(ev.get("codes", ())), extra_picks=ev.get("picks", ()),
                             detected=detected, act=ev.get("act"))


def text_hash(text: str) -> str:
    """A short fingerprint of a choice's text, recorded per turn so replay notices when the text changed."""
    import hashlib

    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def _check_choice_text(session: Session, ev: dict) -> None:
    """Refuse a turn whose choice now says something else than when it was played (an edited text, or a choice
    inserted before it that shifted the positional ids). Journals from before the fingerprint have none."""
    recorded = ev.get("text_hash")
    place = session.compiled.choices.get(ev.get("choice"))
    if not isinstance(recorded, str) or place is None:
        return
    node, index = place
    if text_hash(node.choices[index].text) != recorded:
        raise SessionError(f"choice '{ev['choice']}' has a different text than when this session was played "
                           "(the persona was edited, or a choice was inserted before it); give choices a stable "
                           "'id:' to keep old sessions replayable")


class SessionLocked(ResumeError):
    """Another trainer process has this session open (two writers would interleave turns and break it)."""


class JournalWriteError(OSError):
    """A journal could not be created or a turn could not be written; the message says why, for a person.
    Everything written before is intact (a half-written line is cut off again)."""

    def __str__(self) -> str:
        return self.strerror or super().__str__()  # the sentence alone, without "[Errno 28]"


class _Lock:
    """An open append descriptor of one journal, holding an exclusive advisory lock (flock) on it. One per
    journal per process (a process that opens its own session again shares it); closed when no Journal uses it."""

    _open: "weakref.WeakValueDictionary[str, _Lock]" = weakref.WeakValueDictionary()

    def __init__(self, fd: int):
        self.fd = fd

    def __del__(self):
        try:
            os.close(self.fd)
        except OSError:
            pass

    @classmethod
    def acquire(cls, path: Path, create: bool = False) -> "_Lock":
        key = os.path.abspath(path)
        lock = None if create else cls._open.get(key)
        if lock is not None:
            return lock
        flags = os.O_WRONLY | os.O_APPEND | getattr(os, "O_BINARY", 0) | (os.O_CREAT | os.O_EXCL if create else 0)
        lock = cls(os.open(path, flags, 0o644))
        if fcntl is not None:  # POSIX; on Windows sessions are not locked
            try:
                fcntl.flock(lock.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as exc:
                if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                    raise SessionLocked(f"session {path.stem} is open in another trainer window or process; "
                                        f"close that one first (two at once would mix up the turns)") from None
                raise
        cls._open[key] = lock
        return lock


def _why(exc: OSError) -> str:
    if exc.errno == errno.ENOSPC:
        return "the disk is full"
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return "the sessions folder cannot be written to"
    return exc.strerror or str(exc)


class Journal:
    """An open journal file that a running session appends to. Holds the session's lock while it is in use."""

    def __init__(self, path: Path):
        self.path = path
        self._lock: _Lock | None = None

    @classmethod
    def create(cls, folder: Path, header: dict) -> "Journal":
        path = folder / f"{header['session']}.jsonl"
        journal = cls(path)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            journal._lock = _Lock.acquire(path, create=True)
        except SessionLocked:
            raise
        except OSError as exc:
            raise JournalWriteError(exc.errno, f"cannot create a session file in {folder}: {_why(exc)}") from None
        try:
            journal._write({"type": "start", "schema": JOURNAL_SCHEMA, **header})
        except JournalWriteError:
            journal.close()
            try:
                path.unlink()  # no turn was played yet: nothing to keep, and no half journal left behind
            except OSError:
                pass
            raise
        return journal

    def lock(self) -> None:
        """Take the session for writing; SessionLocked when another process has it."""
        if self._lock is None:
            try:
                self._lock = _Lock.acquire(self.path)
            except SessionLocked:
                raise
            except OSError as exc:
                raise ResumeError(f"cannot continue session {self.path.stem}: {_why(exc)}") from None

    def close(self) -> None:
        self._lock = None  # the descriptor (and the lock) go when no other Journal of this file uses them

    def repair(self) -> None:
        """Cut a half-written last line off, so appends start on a clean line."""
        raw = self.path.read_bytes()
        if raw and not raw.endswith(b"\n"):
            keep = raw.rfind(b"\n") + 1
            with open(self.path, "r+b") as fh:
                fh.truncate(keep)
                fh.flush()
                os.fsync(fh.fileno())

    def _write(self, record: dict) -> None:
        line = (json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8", "replace")
        size = None
        try:
            self.lock()
            fd = self._lock.fd
            size = os.fstat(fd).st_size
            view = memoryview(line)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        except SessionLocked:
            raise
        except (OSError, ResumeError) as exc:
            if size is not None:
                try:
                    os.ftruncate(self._lock.fd, size)  # no half line: every earlier turn stays readable
                except OSError:
                    pass
            code = getattr(exc, "errno", None)
            why = _why(exc) if isinstance(exc, OSError) else str(exc)
            raise JournalWriteError(code, f"cannot write to {self.path}: {why}") from None

    def record_turn(self, turn: Turn, picks: tuple[str, ...] = (), codes: tuple[str, ...] = (),
                    own_picks: tuple[str, ...] | None = None) -> None:
        kind = "choose" if turn.choice_id else "react" if turn.reaction else "fallback"
        rec = {"type": kind, "turn": turn.index, "at": now_iso(), "node": turn.node, "choice": turn.choice_id}
        if turn.choice_id:
            rec["text_hash"] = text_hash(turn.choice_text)  # replay refuses when the text under this id changed
        if turn.reaction:
            rec.update(reaction=turn.reaction, line=turn.reaction_line)
        if turn.act is not None:
            rec["act"] = turn.act
            codes = turn.codes  # what the typed line was understood to do (the rubric counts these)
        if turn.typed is not None:
            rec["typed"] = turn.typed
        if turn.match_score is not None:
            rec["score"] = round(turn.match_score, 4)
        if picks:
            rec["picks"] = list(picks)
        if own_picks is not None:
            rec["own_picks"] = list(own_picks)  # which of the choice's own picks_up counted (free text)
        if codes or turn.act is not None:
            rec["codes"] = list(codes)
        rec["detected"] = list(turn.detected)  # replay uses these, whatever the lexicon says by then
        rec.update(trust=turn.trust_after, motivation=turn.motivation_after, phase=turn.phase_after)
        if turn.ended:
            rec["ended"] = turn.ended
        self._write(rec)

    def record_undo(self) -> None:
        self._write({"type": "undo", "at": now_iso()})


@dataclass
class Resumed:
    session: Session
    journal: Journal
    data: JournalData
    loaded: LoadedPersona
    persona_changed: bool


def open_session(path: str | Path, analyser: Analyser | None = None, persona_dirs: list[str] | None = None,
                 for_append: bool = True, partial: bool = False) -> Resumed:
    """Rebuild a session from its journal. Refuses with ResumeError (never a traceback) when it cannot.

    for_append takes the session's lock first (SessionLocked when another process has it). partial=True (only
    for reading: the debrief) keeps what can be replayed of a damaged journal: the session holds the turns
    before the damage and `data.damaged` says where it stopped and why."""
    journal = Journal(Path(path))
    try:
        if for_append:
            journal.lock()
        data = read_journal(path, strict=not partial)
        head = data.header
        pid = head.get("persona")
        loaded = _load_recorded_persona(head, persona_dirs)
        changed = loaded.content_hash != head.get("persona_hash")
        try:
            session = Session(loaded.persona, analyser=analyser, start=head.get("start"), meters=head.get("meters"))
        except (SessionError, MachineError, KeyError, TypeError, ValueError) as exc:
            raise ResumeError(f"cannot open session {data.session_id}: its start record is damaged ({exc})") from None
        try:
            replay(session, data.events)
        except _REPLAY_ERRORS as exc:
            why = (f"the persona file of '{pid}' changed since this session was played" if changed
                   else "the session file does not match its persona")
            if not partial:
                raise ResumeError(f"cannot continue session {data.session_id}: {why} ({exc})") from None
            data.damaged = data.damaged or (f"{data.path}: the session file is damaged: replay stopped at turn "
                                            f"{len(session.turns) + 1}: {why} ({exc})")
    except BaseException:
        journal.close()
        raise
    if for_append and data.truncated:
        journal.repair()
    return Resumed(session, journal, data, loaded, changed)


# what a hand-edited or hostile journal can make replay raise (the engine checks every recorded id and value)
_REPLAY_ERRORS = (SessionError, MachineError, KeyError, TypeError, ValueError, AttributeError, IndexError)


def _load_recorded_persona(head: dict, persona_dirs: list[str] | None) -> LoadedPersona:
    pid = head.get("persona", "?")
    candidates: list[str] = []
    recorded = head.get("persona_path")
    if recorded and Path(recorded).is_file():
        candidates.append(recorded)
    try:
        candidates.append(str(resolve(pid, persona_dirs)))
    except UnknownPersona:
        pass
    if not candidates:
        raise ResumeError(f"cannot continue: persona '{pid}' is not available any more")
    try:
        return load_persona(candidates[0])
    except PersonaError as exc:
        first = exc.diagnostics[0] if exc.diagnostics else "invalid"
        raise ResumeError(f"cannot continue: persona '{pid}' has errors now ({first})") from None


def _text(value) -> str:
    return value if isinstance(value, str) else ""


def list_sessions(folder: Path) -> list[dict]:
    """Summaries for `trainer sessions`: id, persona, trainee, started, turns, outcome.

    A damaged journal is listed too, never dropped: `damaged` holds the one-line reason (its turns are those
    before the damage), and a file that is no journal at all is listed with 0 turns."""
    rows = []
    if not folder.is_dir():
        return rows
    for path in sorted(folder.glob("*.jsonl")):
        try:
            data = read_journal(path, strict=False)
        except ResumeError as exc:
            rows.append({"id": path.stem, "persona": None, "trainee": "", "mode": "", "started": "", "turns": 0,
                         "outcome": None, "path": str(path), "finished": None, "damaged": str(exc)})
            continue
        acts = actions(data.events)
        last = acts[-1] if acts else {}
        head = data.header
        outcome = _text(last.get("ended")) or None
        rows.append({
            "id": data.session_id, "persona": _text(head.get("persona")), "trainee": _text(head.get("trainee")),
            "mode": _text(head.get("mode")) or "practice", "started": _text(head.get("started")),
            "turns": len(acts), "outcome": outcome, "path": str(path),
            "finished": _text(last.get("at")) or None if outcome else None, "damaged": data.damaged,
        })
    return rows
