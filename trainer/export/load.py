"""Which journals a SESSION argument means, and rebuilding their sessions for export.

A SESSION argument is a journal file, a folder (every session in it), a session id, or the start of one
(`20261122` = every session of that day); ids are looked up in the sessions folder.

`Loader` rebuilds sessions the same way `trainer.engine.journal.open_session` does (the recorded persona file
when it still exists, else the persona with that id; then deterministic replay), but loads and compiles each
persona once per run, so a cohort of thousands of sessions does not pay for parsing and validating the persona
file every time (that costs far more than the replay itself).
Every failure is an `ExportError` with a one-line message for a person.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from trainer.engine.journal import JournalData, ResumeError, read_journal, replay
from trainer.engine.session import CompiledPersona, MachineError, Session, SessionError
from trainer.persona.diagnostics import PersonaError
from trainer.persona.loader import LoadedPersona, load_persona
from trainer.persona.registry import UnknownPersona, resolve


class ExportError(Exception):
    """A session that cannot be exported; the message says which and why, in one line."""


def find_sessions(refs: list[str], folder: Path) -> tuple[list[Path], list[str]]:
    """Expand SESSION arguments into journal files (in order, no duplicates). Returns (paths, problems)."""
    paths: list[Path] = []
    problems: list[str] = []
    in_folder: list[Path] | None = None
    for ref in refs:
        path = Path(ref)
        if path.is_dir():
            found = sorted(path.glob("*.jsonl"))
            if not found:
                problems.append(f"no sessions in {path}")
            paths += found
        elif path.is_file():
            paths.append(path)
        else:
            if in_folder is None:
                in_folder = sorted(folder.glob("*.jsonl")) if folder.is_dir() else []
            key = path.name[:-6] if path.name.endswith(".jsonl") else ref
            exact = [p for p in in_folder if p.stem == key]
            found = (exact or [p for p in in_folder if p.stem.startswith(key)]) if key else []
            if not found:
                problems.append(f"no session '{ref}' (not a file, and no session id in {folder} starts with it)")
            paths += found
    seen: set[Path] = set()
    unique = []
    for p in paths:
        rp = p.resolve()
        if rp not in seen:
            seen.add(rp)
            unique.append(p)
    return unique, problems


def file_sha256(path: str | Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def release(session: Session) -> None:
    """Let go of a session we only read: unfinished sessions stay registered in their persona's shared phase
    machine until closed, which adds up over thousands of journals."""
    session.close()


@dataclass
class Opened:
    path: Path
    data: JournalData
    session: Session
    loaded: LoadedPersona


class Loader:
    """Rebuilds sessions from journals; caches personas, their hashes and engine sessions for one run."""

    def __init__(self, persona_dirs: list[str] | None = None, analyser=None, lang: str = "nl"):
        self.persona_dirs = list(persona_dirs or [])
        self.analyser = analyser
        self.lang = lang if lang in ("nl", "en") else "nl"
        self._by_id: dict[str, str | None] = {}
        self._is_file: dict[str, bool] = {}
        self._hash: dict[str, str | None] = {}
        self._personas: dict[str, tuple[LoadedPersona, CompiledPersona] | str] = {}
        self._walkers: dict[CompiledPersona, object] = {}  # -> its digest.Walker
        self._authored = None  # digest.AuthoredFlags, shared by the walkers

    # --- personas ------------------------------------------------------------------------------------------
    def persona_file(self, header: dict) -> str | None:
        """The persona file a journal is replayed with: the recorded file while it exists, else by id."""
        recorded = header.get("persona_path")
        if isinstance(recorded, str) and recorded:
            ok = self._is_file.get(recorded)
            if ok is None:
                ok = self._is_file[recorded] = os.path.isfile(recorded)
            if ok:
                return recorded
        pid = header.get("persona")
        if not isinstance(pid, str) or not pid:
            return None
        if pid not in self._by_id:
            try:
                self._by_id[pid] = str(resolve(pid, self.persona_dirs))
            except UnknownPersona:
                self._by_id[pid] = None
        return self._by_id[pid]

    def persona_hash(self, header: dict) -> str | None:
        """Content hash of the persona file this journal would be replayed with (None: not available)."""
        path = self.persona_file(header)
        if path is None:
            return None
        if path not in self._hash:
            try:
                self._hash[path] = file_sha256(path)
            except OSError:
                self._hash[path] = None
        return self._hash[path]

    def persona(self, header: dict, sid: str) -> tuple[LoadedPersona, CompiledPersona]:
        pid = header.get("persona", "?")
        path = self.persona_file(header)
        if path is None:
            where = ", ".join(self.persona_dirs) or "the persona folders"
            raise ExportError(f"session {sid}: persona '{pid}' is not available (not found in {where}; "
                              f"use --personas DIR)")
        got = self._personas.get(path)
        if got is None:
            try:
                loaded = load_persona(path)
                got = (loaded, CompiledPersona(loaded.persona))
            except PersonaError as exc:
                first = exc.diagnostics[0] if exc.diagnostics else "invalid"
                got = f"persona '{pid}' has errors now ({first})"
            self._personas[path] = got
            if not isinstance(got, str):
                self._hash[path] = got[0].content_hash
        if isinstance(got, str):
            raise ExportError(f"session {sid}: {got}")
        return got

    # --- sessions ------------------------------------------------------------------------------------------
    def read(self, path: str | Path) -> JournalData:
        try:
            return read_journal(path)
        except ResumeError as exc:
            raise ExportError(str(exc)) from None

    def open(self, path: str | Path, data: JournalData | None = None) -> Opened:
        path = Path(path)
        data = data or self.read(path)
        head = data.header
        sid = data.session_id
        loaded, compiled = self.persona(head, sid)
        try:
            session = Session(compiled, analyser=self.analyser, start=head.get("start"), meters=head.get("meters"))
            replay(session, data.events)
        except (SessionError, MachineError, KeyError, TypeError, ValueError) as exc:
            pid = head.get("persona", "?")
            changed = loaded.content_hash != head.get("persona_hash")
            why = (f"the persona file of '{pid}' changed since this session was played" if changed
                   else "the session file does not match its persona")
            raise ExportError(f"session {sid}: cannot rebuild it: {why} ({exc})") from None
        return Opened(path, data, session, loaded)

    def record(self, path: str | Path, data: JournalData | None = None):
        """The SessionRecord of a journal (pseudonym as recorded; see privacy.Pseudonyms)."""
        from trainer.export.record import build_record

        return self._debriefed(path, data, lambda o, debrief: build_record(
            o.data.header, o.data.events, o.session, o.loaded, debrief, journal_file=o.path,
            truncated=o.data.truncated))

    def summary(self, path: str | Path, data: JournalData | None = None) -> dict:
        """`summary.summarise(self.record(path))`, made without building the record."""
        return self.summary_and_route(path, data)[0]

    def summary_and_route(self, path: str | Path, data: JournalData | None = None) -> tuple[dict, str | None]:
        """(summary, None) when it was made straight from the journal (export/digest.py), or (summary, why the
        full replay was needed)."""
        from trainer.export.digest import Replay, Walker, digest

        path = path if isinstance(path, Path) else Path(path)
        data = data or self.read(path)
        loaded, compiled = self.persona(data.header, data.session_id)
        walker = self._walkers.get(compiled)
        if walker is None:
            walker = self._walkers[compiled] = Walker(compiled, self.authored_flags())
        try:
            return digest(walker, data.header, data.events, loaded, path, self.lang, self.analyser), None
        except Replay as why:
            return self.replayed_summary(path, data), str(why)

    def authored_flags(self):
        """The flags of authored lines for this run (digest.AuthoredFlags; the caller saves it when done)."""
        if self._authored is None:
            from trainer.export.digest import AuthoredFlags

            self._authored = AuthoredFlags.of_default_lexicon()
        return self._authored

    def replayed_summary(self, path: str | Path, data: JournalData | None = None) -> dict:
        """The summary after a full replay and debrief (the reference the fast path is held to)."""
        from trainer.export.summary import summarise_session

        return self._debriefed(path, data, lambda o, debrief: summarise_session(
            o.data.header, o.data.events, o.session, o.loaded, debrief, o.path))

    def _debriefed(self, path, data, make):
        from trainer.debrief.build import build_debrief

        opened = self.open(path, data)
        try:
            return make(opened, build_debrief(opened.session, self.lang))
        finally:
            release(opened.session)
