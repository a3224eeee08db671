"""xAPI 1.0.3 statements made from a SessionRecord (plain JSON; sending is in lrs.py).

Per finished session: a `completed` statement and a `passed` or `failed` statement (the rubric's verdict), both
with result.score (scaled = score/100, raw, min 0, max 100), result.success, result.completion, result.duration
(ISO 8601) and the details under extension IRIs. With per_turn, also one `answered` statement per turn, as a
cmi.interaction: interactionType `choice` with the choices that were open (response = the picked choice id), or
`fill-in` for typed words (response = the words). An unfinished session has no verdict: no statements, or with
`abandoned=True` one cmi5-style `abandoned` statement (completion false, no score, no success).

Identifiers (all documented in docs/exports.md):
- IRI base                https://gesprekstrainer.example/xapi (activity and extension IRIs only; an IRI need
                          not resolve, and changing it would change every statement id)
- activity per persona    {base}/activities/persona/{persona id}          (type .../activities/simulation)
- activity per node       {base}/activities/persona/{persona id}/node/{node id}  (choice interactions)
                          ... /node/{node id}/free-text                    (fill-in interactions)
- extensions              {base}/ext/{name}
- actor                   Agent with account {homePage: the configured home page (xapiconf.py), name: the
                          pseudonym or, by default, its salted hash} ("unknown" when the session has none)
- context.registration    uuid5(NAMESPACE, "session/" + session id)
- statement id            uuid5(NAMESPACE, "statement/" + session id + "/" + verb [+ "/" + turn]) -- stable,
                          so sending again never makes a duplicate; a voiding statement: uuid5(NAMESPACE,
                          "void/" + target id)
NAMESPACE = uuid5(NAMESPACE_URL, IRI base).
"""

from __future__ import annotations

import urllib.parse
import uuid

IRI_BASE = "https://gesprekstrainer.example/xapi"
EXT = IRI_BASE + "/ext/"
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, IRI_BASE)
XAPI_VERSION = "1.0.3"
UNKNOWN_ACTOR = "unknown"
TOOL_ACCOUNT = "gesprekstrainer"  # the actor of voiding statements: the tool, on the configured home page

VERBS = {
    "completed": {"en-US": "completed", "nl-NL": "voltooide"},
    "passed": {"en-US": "passed", "nl-NL": "slaagde voor"},
    "failed": {"en-US": "failed", "nl-NL": "zakte voor"},
    "answered": {"en-US": "answered", "nl-NL": "antwoordde"},
    "voided": {"en-US": "voided", "nl-NL": "maakte ongeldig"},
    "abandoned": {"en-US": "abandoned", "nl-NL": "brak af"},
}
VERB_IRIS = {"abandoned": "https://w3id.org/xapi/adl/verbs/abandoned"}
ACTIVITY_SIMULATION = "http://adlnet.gov/expapi/activities/simulation"
ACTIVITY_INTERACTION = "http://adlnet.gov/expapi/activities/cmi.interaction"
ACTIVITY_COURSE = "http://adlnet.gov/expapi/activities/course"
ACTIVITY_GROUP = "http://id.tincanapi.com/activitytype/group"


def verb(name: str) -> dict:
    return {"id": VERB_IRIS.get(name, f"http://adlnet.gov/expapi/verbs/{name}"), "display": dict(VERBS[name])}


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


def actor(record, settings) -> dict:
    return {"objectType": "Agent", "account": {"homePage": settings.home_page,
                                               "name": record.trainee or UNKNOWN_ACTOR}}


def grouping(settings) -> list[dict]:
    """contextActivities.grouping: the course and the cohort, when configured."""
    out = []
    if settings.course:
        course = {"objectType": "Activity", "id": settings.course, "definition": {"type": ACTIVITY_COURSE}}
        if settings.course_name:
            course["definition"]["name"] = {"nl-NL": settings.course_name, "en-US": settings.course_name}
        out.append(course)
    if settings.cohort:
        out.append({"objectType": "Activity",
                    "id": f"{IRI_BASE}/activities/cohort/{urllib.parse.quote(settings.cohort, safe='')}",
                    "definition": {"type": ACTIVITY_GROUP,
                                   "name": {"nl-NL": settings.cohort, "en-US": settings.cohort}}})
    return out


def _context(record, settings, attempt: int | None, parent: dict | None = None) -> dict:
    ext = {
        EXT + "session-id": record.session_id,
        EXT + "mode": record.mode,
        EXT + "persona-hash": record.persona.hash,
    }
    if attempt is not None:
        ext[EXT + "attempt"] = attempt
    ctx = {"registration": registration(record.session_id), "platform": "Gesprekstrainer", "language": "nl-NL",
           "extensions": ext}
    activities = {}
    if parent is not None:
        activities["parent"] = [{"objectType": "Activity", "id": parent["id"]}]
    groups = grouping(settings)
    if groups:
        activities["grouping"] = groups
    if activities:
        ctx["contextActivities"] = activities
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
        "success": bool(record.rubric.passed),
        "completion": True,
        "duration": iso_duration(record.duration_seconds),
        "extensions": _details(record),
    }


def _lang_map(text: str) -> dict:
    return {"nl-NL": text, "en-US": text}


def interaction(record, turn) -> dict:
    """The activity of one turn: a choice among the open choices, or a fill-in for typed words."""
    base = f"{IRI_BASE}/activities/persona/{record.persona.id}/node/{turn.node}"
    name = _lang_map(f"{record.persona.name}: {turn.node}")
    if turn.typed is not None:
        definition = {"name": name, "description": _lang_map(turn.persona_line), "type": ACTIVITY_INTERACTION,
                      "interactionType": "fill-in"}
        return {"objectType": "Activity", "id": base + "/free-text", "definition": definition}
    options = list(getattr(turn, "options", None) or [])
    if turn.choice_id and turn.choice_id not in {o.id for o in options}:  # journals from before options existed
        options.append(type("Option", (), {"id": turn.choice_id, "text": turn.choice_text})())
    definition = {"name": name, "description": _lang_map(turn.persona_line), "type": ACTIVITY_INTERACTION,
                  "interactionType": "choice",
                  "choices": [{"id": o.id, "description": _lang_map(o.text)} for o in options]}
    return {"objectType": "Activity", "id": base, "definition": definition}


def statements(record, per_turn: bool = False, *, settings, attempt: int | None = None,
               abandoned: bool = False) -> list[dict]:
    """The statements of one session. An unfinished session has no verdict: [] (or, with abandoned=True,
    one `abandoned` statement)."""
    sid = record.session_id
    who = actor(record, settings)
    what = persona_activity(record)
    if not record.finished:
        if not abandoned:
            return []
        stmt = {"id": statement_id(sid, "abandoned", len(record.turns)), "actor": who, "verb": verb("abandoned"),
                "object": what, "result": {"completion": False, "duration": iso_duration(record.duration_seconds)},
                "context": _context(record, settings, attempt)}
        when = record.last_activity_at or record.started_at
        if when:
            stmt["timestamp"] = when
        return [stmt]
    when = record.finished_at or record.last_activity_at or record.started_at
    out = []
    for name in ("completed", "passed" if record.rubric.passed else "failed"):
        stmt = {"id": statement_id(sid, name), "actor": who, "verb": verb(name), "object": what,
                "result": _result(record), "context": _context(record, settings, attempt)}
        if when:
            stmt["timestamp"] = when
        out.append(stmt)
    if per_turn:
        for turn in record.turns:
            response = turn.typed if turn.typed is not None else (turn.choice_id or "")
            stmt = {
                "id": statement_id(sid, "answered", turn.index),
                "actor": who,
                "verb": verb("answered"),
                "object": interaction(record, turn),
                "result": {
                    "response": response,
                    "extensions": {EXT + "turn": {
                        "index": turn.index, "persona_line": turn.persona_line, "choice_id": turn.choice_id,
                        "line": turn.trainee_line, "typed": turn.typed is not None,
                        "match_score": turn.match_score, "codes": turn.codes, "picks_up": turn.picks_up,
                        "flags": [f.model_dump() for f in turn.flags],
                        "cue_events": [c.model_dump() for c in turn.cue_events],
                        "before": turn.before.model_dump(), "after": turn.after.model_dump(),
                        "reply": turn.reply, "ended": turn.ended,
                    }},
                },
                "context": _context(record, settings, attempt, parent=what),
            }
            stmt["context"]["extensions"][EXT + "turn-index"] = turn.index
            if turn.at:
                stmt["timestamp"] = turn.at
            out.append(stmt)
    return out


def session_statement_ids(record, per_turn: bool = True) -> list[str]:
    """Every statement id this session can have been sent with (for voiding)."""
    sid = record.session_id
    ids = [statement_id(sid, "completed"), statement_id(sid, "passed"), statement_id(sid, "failed")]
    if per_turn:
        ids += [statement_id(sid, "answered", t.index) for t in record.turns]
    return ids


def voiding_statement(target_id: str, settings) -> dict:
    """A voiding statement for one statement id. No timestamp (the LRS sets it), so it is the same every time."""
    return {"id": str(uuid.uuid5(NAMESPACE, f"void/{target_id}")),
            "actor": {"objectType": "Agent", "account": {"homePage": settings.home_page, "name": TOOL_ACCOUNT}},
            "verb": verb("voided"), "object": {"objectType": "StatementRef", "id": target_id}}
