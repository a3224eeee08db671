"""The canonical session record: everything an assessor may need about one session, as one JSON object.

Every export (CSV, xAPI, HTML, the cohort report) is made from this record, so they always agree. It is built
by replaying the session's journal (the engine is deterministic) and running the debrief on the result.

- `build_record(...)` makes it; `record_to_json(record)` / `record_from_json(text)` round-trip it exactly
  (`record_from_json(record_to_json(r)) == r`).
- `json_schema()` is the published JSON Schema (schemas/session.schema.json); a test keeps the file in step.
- `schema_version` changes only on incompatible changes; new optional fields keep the version.
- Unfinished sessions are records too: `finished` is false, `outcome`, `ending` and `finished_at` are null, and
  the debrief/rubric cover the turns played so far.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Literal, Optional, Union

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = 1
SCHEMA_ID = "https://gesprekstrainer.example/schemas/session.schema.json"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PersonaRef(_Model):
    id: str
    name: str
    difficulty: str
    hash: str = Field(description="sha256 of the persona file when the session was played (from the journal)")
    replayed_hash: str = Field(description="sha256 of the persona file this record was rebuilt with")
    changed: bool = Field(description="true when the persona file changed since the session was played")


class Meters(_Model):
    trust: int = Field(ge=0, le=100)
    motivation: int = Field(ge=0, le=100)
    phase: str


class EffectRecord(_Model):
    source: str = Field(description='"choice", "fallback" or "sensitivity:<category>"')
    trust: int
    motivation: int


class TurnFlag(_Model):
    category: str
    start: int = Field(ge=0, description="character offset of the flagged words in trainee_line")
    end: int = Field(ge=0)
    words: str
    severity: int = Field(ge=1, le=3)
    rule: str


class CueEventRef(_Model):
    cue: str
    event: Literal["offered", "picked_up", "missed"]


class ChoiceOption(_Model):
    id: str
    text: str


class TurnRecord(_Model):
    index: int = Field(ge=1)
    at: Optional[str] = Field(description="when the trainee answered (ISO 8601, from the journal)")
    node: str
    persona_line: str = Field(description="what the persona said before the trainee answered")
    offered: list[str] = Field(description="cue ids that persona line offered")
    choice_id: Optional[str] = Field(description="the authored choice played; null for typed text that matched nothing")
    choice_text: str
    typed: Optional[str] = Field(description="the trainee's own words (free-text mode), else null")
    match_score: Optional[float] = Field(description="similarity of the typed words to the matched choice")
    trainee_line: str = Field(description="typed words if any, else the choice text")
    codes: list[str] = Field(description="MI codes of the trainee's line")
    picks_up: list[str]
    detected: list[str] = Field(description="analyser categories found in the trainee's line")
    flags: list[TurnFlag]
    cue_events: list[CueEventRef]
    before: Meters
    after: Meters
    effects: list[EffectRecord]
    next: str = Field(description="the next node, or the ending id")
    reply: str = Field(description="the persona's answer")
    ended: Optional[str] = Field(description="the outcome when this turn ended the conversation")
    options: list[ChoiceOption] = Field(default_factory=list,
                                        description="the choices open to the trainee at this turn (id, text)")


class FlagRecord(_Model):
    turn: int
    text: str = Field(description="the trainee's whole line")
    category: str
    start: int
    end: int
    words: str
    rule: str
    severity: int = Field(ge=1, le=3)
    explanation: str
    suggestion: str


class CueRecord(_Model):
    cue: str
    label: str
    kind: str
    offered_turn: int
    persona_line: str
    status: Literal["picked_up", "missed"]
    picked_turn: Optional[int]
    reason: str = Field(description='for a miss: "not_addressed", "controlling" or "obligations"; else ""')
    example_pickup: str
    why: str


class TrajectoryPoint(_Model):
    turn: int = Field(ge=0, description="0 = the start")
    trust: int
    motivation: int
    phase: str


class MeasureRecord(_Model):
    key: str
    label: str
    value: Union[int, float, str, None]
    display: str
    level: Optional[str]
    target: str


class RubricRecord(_Model):
    counts: dict[str, int]
    measures: list[MeasureRecord]
    controlling_count: int
    controlling_severity: int
    score: Optional[int] = Field(ge=0, le=100, description="null while the session is not finished: no verdict")
    level: Optional[str] = Field(description="null while the session is not finished")
    passed: Optional[bool] = Field(description="null while the session is not finished")
    rule: str


class DebriefRecord(_Model):
    outcome_label: str
    ending_line: str
    notes: list[str]
    trajectory: list[TrajectoryPoint]
    flags: list[FlagRecord]
    cues: list[CueRecord]


class JournalInfo(_Model):
    file: str = Field(description="file name of the journal (no folder: paths can hold user names)")
    schema_: int = Field(alias="schema", description="journal format version")
    truncated: bool = Field(description="the journal's last line was cut off (program killed) and was ignored")
    undos: int = Field(description="how many turns the trainee took back (practice mode)")
    free_text: bool
    lang: str = Field(description="interface language during the session")

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class SessionRecord(_Model):
    model_config = ConfigDict(extra="forbid", frozen=True, title="Gesprekstrainer session record",
                              json_schema_extra={"$id": SCHEMA_ID})

    schema_version: Literal[1]
    session_id: str
    trainee: str = Field(description="the trainee's pseudonym (or its salted hash when anonymised); may be empty")
    anonymised: bool
    persona: PersonaRef
    mode: str = Field(description='"practice" or "assessment"')
    lang: str = Field(description="language of the labels and explanations in this record")
    started_at: Optional[str]
    finished_at: Optional[str] = Field(description="null while the conversation is not finished")
    last_activity_at: Optional[str]
    duration_seconds: Optional[int] = Field(
        description="finished_at (or, unfinished, last_activity_at) minus started_at, wall clock")
    finished: bool
    outcome: Optional[str]
    ending: Optional[str]
    start: Meters
    final: Meters
    turns: list[TurnRecord]
    debrief: DebriefRecord
    rubric: RubricRecord
    journal: JournalInfo
    generator: str


# --- (de)serialisation ---------------------------------------------------------------------------------------------

def record_to_dict(record: SessionRecord) -> dict:
    return record.model_dump(mode="json", by_alias=True)


def record_to_json(record: SessionRecord, indent: int | None = 2) -> str:
    return json.dumps(record_to_dict(record), ensure_ascii=False, indent=indent)


def record_from_dict(data: dict) -> SessionRecord:
    return SessionRecord.model_validate(data)


def record_from_json(text: str | bytes) -> SessionRecord:
    return SessionRecord.model_validate_json(text)


def json_schema() -> dict:
    schema = SessionRecord.model_json_schema(by_alias=True, mode="serialization")
    out = {"$schema": "https://json-schema.org/draft/2020-12/schema"}
    out.update(schema)
    return out


def json_schema_text() -> str:
    return json.dumps(json_schema(), ensure_ascii=False, indent=2) + "\n"


# --- building ------------------------------------------------------------------------------------------------------

def _parse_time(value) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        stamp = datetime.fromisoformat(value)
    except ValueError:
        return None
    return stamp if stamp.tzinfo else None


def _seconds(a: str | None, b: str | None) -> int | None:
    start, end = _parse_time(a), _parse_time(b)
    if start is None or end is None:
        return None
    return max(0, round((end - start).total_seconds()))


def _cue_events(cues, turns) -> dict[int, list[CueEventRef]]:
    """Per turn: cues offered there, picked up there, and missed there (the last turn that could have picked
    it up: the offering turn when the answer was controlling or turned to obligations, else the next turn)."""
    out: dict[int, list[CueEventRef]] = {}
    last = len(turns)
    for turn in turns:
        for cue_id in turn.offered:
            out.setdefault(turn.index, []).append(CueEventRef.model_construct(cue=cue_id, event="offered"))
    for c in cues:
        if c.status == "picked_up" and c.picked_turn:
            out.setdefault(c.picked_turn, []).append(CueEventRef.model_construct(cue=c.cue, event="picked_up"))
        elif c.status == "missed":
            at = c.offered_turn if c.reason in ("controlling", "obligations") else min(c.offered_turn + 1, last)
            out.setdefault(at, []).append(CueEventRef.model_construct(cue=c.cue, event="missed"))
    return out


def _open_choices(session) -> list[list[ChoiceOption]]:
    """Per turn, the choices that were open (the engine's open_choices rule, on the state before the turn)."""
    compiled = session.compiled
    out = []
    for state in getattr(session, "_history", ())[:len(session.turns)]:
        entries = compiled.node_choices.get(state.node, [])
        open_ = [(cid, c) for cid, c, cond in entries if cond is None or cond(state)] or \
            [(cid, c) for cid, c, _ in entries]
        out.append([ChoiceOption.model_construct(id=cid, text=c.text) for cid, c in open_])
    return out


def journal_facts(header: dict, events: list[dict], ended: bool, replayed_hash: str,
                  journal_file: str | Path) -> dict:
    """What a record takes from the journal rather than from the replay: id, trainee, mode, times, whether the
    persona changed, and the time stamp of each effective action (`stamps`). Shared with summary.py."""
    from trainer.engine.journal import actions

    stamps = [a.get("at") for a in actions(events)]
    started = header.get("started") or None
    last_activity = next((e.get("at") for e in reversed(events) if e.get("at")), None)
    finished_at = (stamps[-1] if stamps else None) if ended else None
    return {
        "session_id": str(header.get("session") or Path(journal_file).stem),
        "trainee": header.get("trainee") or "",
        "mode": str(header.get("mode") or "practice"),
        "started_at": started,
        "finished_at": finished_at,
        "last_activity_at": last_activity,
        "duration_seconds": _seconds(started, finished_at if ended else last_activity),
        "persona_changed": replayed_hash != header.get("persona_hash"),
        "stamps": stamps,
    }


def build_record(header: dict, events: list[dict], session, loaded, debrief, *, journal_file: str | Path,
                 truncated: bool = False, trainee: str | None = None, anonymised: bool = False) -> SessionRecord:
    """The record of a replayed session. `session` is the engine Session after replay, `loaded` the
    LoadedPersona it was replayed with, `debrief` = build_debrief(session, lang)."""
    from trainer import __version__

    persona = session.persona
    turns = session.turns
    facts = journal_facts(header, events, session.ended, loaded.content_hash, journal_file)
    stamps = facts["stamps"]
    flags_by_turn: dict[int, list[TurnFlag]] = {}
    flag_records = []
    for f in debrief.flags:
        words = f.text[f.start:f.end]
        flags_by_turn.setdefault(f.turn, []).append(TurnFlag.model_construct(category=f.category, start=f.start, end=f.end,
                                                             words=words, severity=f.severity, rule=f.rule))
        flag_records.append(FlagRecord.model_construct(turn=f.turn, text=f.text, category=f.category, start=f.start, end=f.end,
                                       words=words, rule=f.rule, severity=f.severity, explanation=f.explanation,
                                       suggestion=f.suggestion))
    cue_events = _cue_events(debrief.cues, turns)
    options = _open_choices(session)
    turn_records = []
    for i, turn in enumerate(turns):
        turn_records.append(TurnRecord.model_construct(
            index=turn.index, at=stamps[i] if i < len(stamps) else None, node=turn.node,
            persona_line=turn.persona_line, offered=list(turn.offered), choice_id=turn.choice_id,
            choice_text=turn.choice_text, typed=turn.typed,
            match_score=None if turn.match_score is None else float(turn.match_score),
            trainee_line=turn.trainee_line, codes=list(turn.codes), picks_up=list(turn.picks_up),
            detected=list(turn.detected), flags=flags_by_turn.get(turn.index, []),
            cue_events=cue_events.get(turn.index, []),
            before=Meters.model_construct(trust=turn.trust_before, motivation=turn.motivation_before, phase=turn.phase_before),
            after=Meters.model_construct(trust=turn.trust_after, motivation=turn.motivation_after, phase=turn.phase_after),
            effects=[EffectRecord.model_construct(source=e.source, trust=e.trust, motivation=e.motivation) for e in turn.effects],
            next=turn.next, reply=turn.reply, ended=turn.ended,
            options=options[i] if i < len(options) else [],
        ))
    first = debrief.trajectory[0]
    rubric = debrief.rubric
    return SessionRecord.model_construct(
        schema_version=SCHEMA_VERSION,
        session_id=facts["session_id"],
        trainee=facts["trainee"] if trainee is None else trainee,
        anonymised=anonymised,
        persona=PersonaRef.model_construct(id=persona.id, name=persona.name, difficulty=persona.difficulty,
                           hash=str(header.get("persona_hash") or ""), replayed_hash=loaded.content_hash,
                           changed=facts["persona_changed"]),
        mode=facts["mode"],
        lang=debrief.lang,
        started_at=facts["started_at"],
        finished_at=facts["finished_at"],
        last_activity_at=facts["last_activity_at"],
        duration_seconds=facts["duration_seconds"],
        finished=session.ended,
        outcome=session.outcome,
        ending=session.state.ending,
        start=Meters.model_construct(trust=first.trust, motivation=first.motivation, phase=first.phase),
        final=Meters.model_construct(trust=session.state.trust, motivation=session.state.motivation, phase=session.state.phase),
        turns=turn_records,
        debrief=DebriefRecord.model_construct(
            outcome_label=debrief.outcome_label, ending_line=debrief.ending_line, notes=list(debrief.notes),
            trajectory=[TrajectoryPoint.model_construct(turn=p.turn, trust=p.trust, motivation=p.motivation, phase=p.phase)
                        for p in debrief.trajectory],
            flags=flag_records,
            cues=[CueRecord.model_construct(cue=c.cue, label=c.label, kind=c.kind, offered_turn=c.offered_turn,
                            persona_line=c.persona_line, status=c.status, picked_turn=c.picked_turn,
                            reason=c.reason, example_pickup=c.example_pickup, why=c.why) for c in debrief.cues],
        ),
        rubric=RubricRecord.model_construct(
            counts=dict(rubric.counts),
            measures=[MeasureRecord.model_construct(key=m.key, label=m.label, value=m.value, display=m.display, level=m.level,
                                    target=m.target) for m in rubric.measures],
            controlling_count=rubric.controlling_count, controlling_severity=rubric.controlling_severity,
            # an unfinished session has no verdict (cmi5: an abandoned attempt is neither passed nor failed)
            score=rubric.score if session.ended else None, level=rubric.level if session.ended else None,
            passed=rubric.passed if session.ended else None, rule=rubric.rule,
        ),
        journal=JournalInfo(file=Path(journal_file).name, schema=int(header.get("schema") or 1),
                            truncated=truncated, undos=sum(1 for e in events if e.get("type") == "undo"),
                            free_text=bool(header.get("free_text")), lang=str(header.get("lang") or "nl")),
        generator=f"gesprekstrainer {__version__}",
    )


def with_trainee(record: SessionRecord, trainee: str, anonymised: bool) -> SessionRecord:
    return record.model_copy(update={"trainee": trainee, "anonymised": anonymised})


if __name__ == "__main__":  # python -m trainer.export.record > schemas/session.schema.json
    import sys

    sys.stdout.write(json_schema_text())
