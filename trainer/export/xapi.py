"""xAPI 1.0.3 statements made from a SessionRecord (plain JSON; sending is in lrs.py).

Per finished session: a `completed` statement and a `passed` or `failed` statement (the rubric's verdict), both
with result.score (scaled = score/100, raw, min 0, max 100), result.success, result.completion, result.duration
(ISO 8601) and the details under extension IRIs. With per_turn, also one `answered` statement per turn with
result.response = the trainee's line. Unfinished sessions give no statements: their turns can still be undone
and their outcome is not known; they are sent once they are finished.

Identifiers (all documented in docs/exports.md):
- IRI base                https://gesprekstrainer.example/xapi
- activity per persona    {base}/activities/persona/{persona id}          (type .../activities/simulation)
- activity per node       {base}/activities/persona/{persona id}/node/{node id}  (answered statements)
- extensions              {base}/ext/{name}
- actor                   Agent with account {homePage: https://gesprekstrainer.example, name: pseudonym}
                          ("unknown" when the session has no pseudonym; the hash with --anonymise)
- context.registration    uuid5(NAMESPACE, "session/" + session id)
- statement id            uuid5(NAMESPACE, "statement/" + session id + "/" + verb [+ "/" + turn]) -- stable,
                          so sending again never makes a duplicate
NAMESPACE = uuid5(NAMESPACE_URL, IRI base).
"""

from __future__ import annotations

import uuid

IRI_BASE = "https://gesprekstrainer.example/xapi"
HOME_PAGE = "https://gesprekstrainer.example"
EXT = IRI_BASE + "/ext/"
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, IRI_BASE)
XAPI_VERSION = "1.0.3"
UNKNOWN_ACTOR = "unknown"

VERBS = {
    "completed": {"en-US": "completed", "nl-NL": "voltooide"},
    "passed": {"en-US": "passed", "nl-NL": "slaagde voor"},
    "failed": {"en-US": "failed", "nl-NL": "zakte voor"},
    "answered": {"en-US": "answered", "nl-NL": "antwoordde"},
}
ACTIVITY_SIMULATION = "http://adlnet.gov/expapi/activities/simulation"
ACTIVITY_INTERACTION = "http://adlnet.gov/expapi/activities/interaction"


def verb(name: str) -> dict:
    return {"id": f"http://adlnet.gov/expapi/verbs/{name}", "display": dict(VERBS[name])}


def registration(session_id: str) -> str:
    return str(uuid.uuid5(NAMESPACE, f"session/{session_id}"))


def statement_id(session_id: str, verb_name: str, turn: int | None = None) -> str:
    suffix = f"/{turn}" if turn is not None else ""
    return str(uuid.uuid5(NAMESPACE, f"statement/{session_id}/{verb_name}{suffix}"))


def iso_duration(seconds: int | None) -> str:
    seconds = max(0, int(seconds or 0))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    out = "PT"
    if hours:
        out += f"{hours}H"
    if minutes:
        out += f"{minutes}M"
    if secs or out == "PT":
        out += f"{secs}S"
    return out


def persona_activity(record) -> dict:
    name = record.persona.name
    return {
        "objectType": "Activity",
        "id": f"{IRI_BASE}/activities/persona/{record.persona.id}",
        "definition": {
            "name": {"nl-NL": f"Gesprek met {name}", "en-US": f"Conversation with {name}"},
            "description": {"nl-NL": f"Oefengesprek in de Gesprekstrainer met persona {name}",
                            "en-US": f"Practice conversation in Gesprekstrainer with persona {name}"},
            "type": ACTIVITY_SIMULATION,
        },
    }


def actor(record) -> dict:
    return {"objectType": "Agent", "account": {"homePage": HOME_PAGE, "name": record.trainee or UNKNOWN_ACTOR}}


def _context(record, **extra) -> dict:
    ctx = {
        "registration": registration(record.session_id),
        "platform": "Gesprekstrainer",
        "language": "nl-NL",
        "extensions": {
            EXT + "session-id": record.session_id,
            EXT + "mode": record.mode,
            EXT + "persona-hash": record.persona.hash,
        },
    }
    ctx.update(extra)
    return ctx


def _details(record) -> dict:
    rubric = record.rubric
    return {
        EXT + "rubric": {
            "score": rubric.score, "level": rubric.level, "passed": rubric.passed,
            "counts": dict(rubric.counts),
            "measures": {m.key: {"value": m.value, "level": m.level} for m in rubric.measures},
            "controlling_count": rubric.controlling_count, "controlling_severity": rubric.controlling_severity,
        },
        EXT + "outcome": record.outcome,
        EXT + "flags": [{"turn": f.turn, "category": f.category, "words": f.words, "severity": f.severity}
                        for f in record.debrief.flags],
        EXT + "cues": [{"cue": c.cue, "label": c.label, "status": c.status, "offered_turn": c.offered_turn,
                        "picked_turn": c.picked_turn, "reason": c.reason} for c in record.debrief.cues],
        EXT + "meters": {"start": record.start.model_dump(), "final": record.final.model_dump(),
                         "turns": len(record.turns)},
    }


def _result(record) -> dict:
    score = record.rubric.score
    return {
        "score": {"scaled": round(score / 100, 4), "raw": score, "min": 0, "max": 100},
        "success": record.rubric.passed,
        "completion": True,
        "duration": iso_duration(record.duration_seconds),
        "extensions": _details(record),
    }


def statements(record, per_turn: bool = False) -> list[dict]:
    """The statements of one session; [] for an unfinished session."""
    if not record.finished:
        return []
    sid = record.session_id
    who = actor(record)
    what = persona_activity(record)
    when = record.finished_at or record.last_activity_at or record.started_at
    out = []
    for name in ("completed", "passed" if record.rubric.passed else "failed"):
        stmt = {"id": statement_id(sid, name), "actor": who, "verb": verb(name), "object": what,
                "result": _result(record), "context": _context(record)}
        if when:
            stmt["timestamp"] = when
        out.append(stmt)
    if per_turn:
        for turn in record.turns:
            stmt = {
                "id": statement_id(sid, "answered", turn.index),
                "actor": who,
                "verb": verb("answered"),
                "object": {
                    "objectType": "Activity",
                    "id": f"{IRI_BASE}/activities/persona/{record.persona.id}/node/{turn.node}",
                    "definition": {
                        "name": {"nl-NL": f"{record.persona.name}: {turn.node}",
                                 "en-US": f"{record.persona.name}: {turn.node}"},
                        "type": ACTIVITY_INTERACTION,
                    },
                },
                "result": {
                    "response": turn.trainee_line,
                    "extensions": {EXT + "turn": {
                        "index": turn.index, "persona_line": turn.persona_line, "choice_id": turn.choice_id,
                        "typed": turn.typed is not None,
                        "match_score": turn.match_score, "codes": turn.codes, "picks_up": turn.picks_up,
                        "flags": [f.model_dump() for f in turn.flags],
                        "cue_events": [c.model_dump() for c in turn.cue_events],
                        "before": turn.before.model_dump(), "after": turn.after.model_dump(),
                        "ended": turn.ended,
                    }},
                },
                "context": _context(record, contextActivities={"parent": [{"objectType": "Activity",
                                                                             "id": what["id"]}]}),
            }
            stmt["context"]["extensions"][EXT + "turn-index"] = turn.index
            if turn.at:
                stmt["timestamp"] = turn.at
            out.append(stmt)
    return out
