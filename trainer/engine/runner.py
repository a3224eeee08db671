"""A session that is being played and journaled: what the app and the plain mode drive."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from trainer.engine.journal import Journal, Resumed, new_session_id, now_iso, open_session
from trainer.engine.session import Analyser, Session, Turn
from trainer.persona.loader import LoadedPersona, load_persona
from trainer.persona.registry import resolve
from trainer.safe_text import clean_typed


@dataclass
class Run:
    session: Session
    journal: Journal
    loaded: LoadedPersona
    header: dict

    @classmethod
    def start(cls, persona: str, sessions: Path, analyser: Analyser | None = None, *, trainee: str = "",
              mode: str = "practice", lang: str = "nl", persona_dirs: list[str] | None = None,
              start: str | None = None, meters: dict | None = None, free_text: bool = False,
              tips: bool = True) -> "Run":
        loaded = load_persona(resolve(persona, persona_dirs))
        session = Session(loaded.persona, analyser=analyser, start=start, meters=meters)
        header = {
            "session": new_session_id(loaded.persona.id), "persona": loaded.persona.id,
            "persona_path": str(Path(loaded.path).resolve()), "persona_hash": loaded.content_hash,
            "trainee": clean_typed(trainee)[:200], "mode": mode, "lang": lang, "free_text": free_text, "started": now_iso(),
            "start": start, "meters": meters, "tips": tips,
        }
        return cls(session, Journal.create(sessions, header), loaded, header)

    @classmethod
    def resume(cls, path: str | Path, analyser: Analyser | None = None,
               persona_dirs: list[str] | None = None) -> tuple["Run", Resumed]:
        r = open_session(path, analyser, persona_dirs)
        return cls(r.session, r.journal, r.loaded, r.data.header), r

    @property
    def session_id(self) -> str:
        return self.header["session"]

    def choose(self, ident: str | int, typed: str | None = None, score: float | None = None,
               extra_picks: tuple[str, ...] = (), own_picks: tuple[str, ...] | None = None,
               detected: tuple[str, ...] | None = None, codes: tuple[str, ...] | None = None,
               act: str | None = None) -> Turn:
        if typed is not None:
            typed = clean_typed(typed)  # every front end journals the same: no control characters, capped
        turn = self.session.choose(ident, typed=typed, score=score, extra_picks=extra_picks, own_picks=own_picks,
                                   detected=detected, codes=codes, act=act)
        return self._journaled(turn, lambda: self.journal.record_turn(turn, picks=tuple(extra_picks),
                                                                       own_picks=own_picks))

    def fallback(self, typed: str, codes: tuple[str, ...] = (), extra_picks: tuple[str, ...] = (),
                 detected: tuple[str, ...] | None = None, act: str | None = None) -> Turn:
        typed = clean_typed(typed)
        turn = self.session.fallback(typed, codes=codes, extra_picks=extra_picks, detected=detected, act=act)
        return self._journaled(turn, lambda: self.journal.record_turn(turn, picks=tuple(extra_picks), codes=codes))

    def react(self, typed: str, act: str, codes: tuple[str, ...] = (), extra_picks: tuple[str, ...] = (),
              detected: tuple[str, ...] | None = None, reaction: str | None = None, line: int | None = None) -> Turn:
        typed = clean_typed(typed)
        turn = self.session.react(typed, act, codes=codes, extra_picks=extra_picks, detected=detected,
                                  reaction=reaction, line=line)
        return self._journaled(turn, lambda: self.journal.record_turn(turn, picks=tuple(extra_picks), codes=codes))

    def _journaled(self, turn: Turn, write) -> Turn:
        """Write the turn; when the disk refuses, take it back in memory too, so the session on screen stays the
        one in the journal and the trainee can simply try again (or resume later)."""
        try:
            write()
        except OSError:
            self.session.undo()
            raise
        return turn

    def undo(self) -> Turn:
        turn = self.session.undo()
        self.journal.record_undo()
        return turn
