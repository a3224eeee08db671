"""Crash-safe session journal: one JSON object per line, flushed and fsynced after every turn.

The journal holds the header (persona id and content hash, trainee, mode, start) and the trainee's actions.
Because the engine is deterministic, replaying the actions rebuilds the exact session; that is how a session is
resumed after the terminal was killed, and how exports and the debrief read a finished session.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from trainer.engine.session import Analyser, Session, SessionError, Turn
from trainer.persona.diagnostics import PersonaError
from trainer.persona.loader import LoadedPersona, load_persona
from trainer.persona.registry import UnknownPersona, resolve

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

    @property
    def session_id(self) -> str:
        return self.header.get("session", self.path.stem)


def read_journal(path: str | Path) -> JournalData:
    path = Path(path)
    try:
        raw = path.read_bytes()
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
    for number, line in enumerate(lines, 1):
        try:
            records.append(json.loads(line.decode("utf-8")))
        except (UnicodeDecodeError, json.JSONDecodeError):
            if number == len(lines):
                truncated = True
                break
            raise ResumeError(f"{path}:{number}: the session file is damaged (not valid JSON)") from None
    if not records or records[0].get("type") != "start":
        raise ResumeError(f"{path} is not a session journal (no start record)")
    return JournalData(path, records[0], records[1:], truncated)


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
        detected = None if reanalyse else ev.get("detected")
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


class Journal:
    """An open journal file that a running session appends to."""

    def __init__(self, path: Path):
        self.path = path

    @classmethod
    def create(cls, folder: Path, header: dict) -> "Journal":
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{header['session']}.jsonl"
        journal = cls(path)
        journal._write({"type": "start", "schema": JOURNAL_SCHEMA, **header}, mode="xb")
        return journal

    def repair(self) -> None:
        """Cut a half-written last line off, so appends start on a clean line."""
        raw = self.path.read_bytes()
        if raw and not raw.endswith(b"\n"):
            keep = raw.rfind(b"\n") + 1
            with open(self.path, "r+b") as fh:
                fh.truncate(keep)
                fh.flush()
                os.fsync(fh.fileno())

    def _write(self, record: dict, mode: str = "ab") -> None:
        line = (json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
        with open(self.path, mode) as fh:
            fh.write(line)
            fh.flush()
            os.fsync(fh.fileno())

    def record_turn(self, turn: Turn, picks: tuple[str, ...] = (), codes: tuple[str, ...] = (),
                    own_picks: tuple[str, ...] | None = None) -> None:
        kind = "choose" if turn.choice_id else "react" if turn.reaction else "fallback"
        rec = {"type": kind, "turn": turn.index, "at": now_iso(), "node": turn.node, "choice": turn.choice_id}
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
                 for_append: bool = True) -> Resumed:
    """Rebuild a session from its journal. Refuses with ResumeError (never a traceback) when it cannot."""
    data = read_journal(path)
    head = data.header
    pid = head.get("persona")
    loaded = _load_recorded_persona(head, persona_dirs)
    session = Session(loaded.persona, analyser=analyser, start=head.get("start"), meters=head.get("meters"))
    changed = loaded.content_hash != head.get("persona_hash")
    try:
        replay(session, data.events)
    except (SessionError, KeyError, TypeError) as exc:
        why = f"the persona file of '{pid}' changed since this session was played" if changed else "the session file does not match its persona"
        raise ResumeError(f"cannot continue session {data.session_id}: {why} ({exc})") from None
    journal = Journal(data.path)
    if for_append and data.truncated:
        journal.repair()
    return Resumed(session, journal, data, loaded, changed)


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


def list_sessions(folder: Path) -> list[dict]:
    """Summaries for `trainer sessions`: id, persona, trainee, started, turns, outcome."""
    rows = []
    if not folder.is_dir():
        return rows
    for path in sorted(folder.glob("*.jsonl")):
        try:
            data = read_journal(path)
        except ResumeError:
            continue
        acts = actions(data.events)
        last = acts[-1] if acts else {}
        rows.append({
            "id": data.session_id, "persona": data.header.get("persona"), "trainee": data.header.get("trainee") or "",
            "mode": data.header.get("mode", "practice"), "started": data.header.get("started", ""),
            "turns": len(acts), "outcome": last.get("ended"), "path": str(path),
            "finished": last.get("at") if last.get("ended") else None,
        })
    return rows
