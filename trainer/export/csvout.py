"""CSV exports: one row per session (from summaries) or one row per turn (from records).

Files are UTF-8 with a byte-order mark, so Excel shows ë and é correctly, and start with a header row. Column
names are stable English ids (documented in docs/exports.md); values are ids, numbers, true/false and ISO 8601
timestamps. Two dialects:

- "standard" (default): comma-separated, decimal point -- for scripts, R, pandas, LibreOffice, English Excel.
- "excel-nl": semicolon-separated, decimal comma -- what Excel with Dutch regional settings expects on a
  double click.

Text that Excel would run as a formula (starting with = + - @ or a tab) gets a leading apostrophe, so a trainee
who typed "=HYPERLINK(...)" cannot plant a formula in an assessor's spreadsheet.
"""

from __future__ import annotations

import csv
import io

from trainer.vocab import MI_CODES

DIALECTS = ("standard", "excel-nl")
_RISKY = ("=", "+", "-", "@", "\t", "\r")

SESSION_COLUMNS = (
    ["session_id", "trainee", "persona_id", "persona_name", "mode", "started_at", "finished_at",
     "duration_seconds", "finished", "outcome", "outcome_label", "turns", "score", "level", "passed"]
    + [f"n_{code}" for code in MI_CODES]
    + ["rq_ratio", "complex_reflection_pct", "cues_judged", "cues_picked_up", "cue_response_pct",
       "controlling_count", "controlling_severity", "final_trust", "final_motivation", "final_phase",
       "persona_changed"]
)

TURN_COLUMNS = [
    "session_id", "trainee", "persona_id", "turn", "at", "node", "phase_before", "trust_before",
    "motivation_before", "persona_line", "choice_id", "trainee_line", "typed", "match_score", "codes", "picks_up",
    "detected", "flags", "flag_count", "flag_severity", "cues_offered", "cues_picked_up", "cues_missed",
    "trust_after", "motivation_after", "phase_after", "trust_change", "motivation_change", "effects", "reply",
    "ended",
]


def _cell(value, decimal_comma: bool):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        text = repr(round(value, 4))
        return text.replace(".", ",") if decimal_comma else text
    if isinstance(value, int):
        return str(value)
    text = str(value)
    if text.startswith(_RISKY):
        return "'" + text
    return text


def session_row(summary: dict, lang: str = "nl", pseudonym=lambda p: p) -> dict:
    from trainer.export.strings import t

    label = summary.get("outcome_label")
    row = {
        "session_id": summary["session_id"], "trainee": pseudonym(summary["trainee"]),
        "persona_id": summary["persona_id"], "persona_name": summary["persona_name"], "mode": summary["mode"],
        "started_at": summary["started_at"], "finished_at": summary["finished_at"],
        "duration_seconds": summary["duration_seconds"], "finished": summary["finished"],
        "outcome": summary["outcome"],
        "outcome_label": label.get(lang, label["nl"]) if label else t("not_finished", lang),
        "turns": summary["turns"], "score": summary["score"], "level": summary["level"],
        "passed": summary["passed"],
    }
    for code in MI_CODES:
        row[f"n_{code}"] = summary["counts"].get(code, 0)
    row.update({
        "rq_ratio": summary["rq_ratio"], "complex_reflection_pct": summary["complex_pct"],
        "cues_judged": summary["cues_judged"], "cues_picked_up": summary["cues_picked_up"],
        "cue_response_pct": summary["cue_response_pct"], "controlling_count": summary["controlling_count"],
        "controlling_severity": summary["controlling_severity"], "final_trust": summary["final_trust"],
        "final_motivation": summary["final_motivation"], "final_phase": summary["final_phase"],
        "persona_changed": summary["persona_changed"],
    })
    return row


def turn_rows(record) -> list[dict]:
    rows = []
    for turn in record.turns:
        events = turn.cue_events
        rows.append({
            "session_id": record.session_id, "trainee": record.trainee, "persona_id": record.persona.id,
            "turn": turn.index, "at": turn.at, "node": turn.node, "phase_before": turn.before.phase,
            "trust_before": turn.before.trust, "motivation_before": turn.before.motivation,
            "persona_line": turn.persona_line, "choice_id": turn.choice_id, "trainee_line": turn.trainee_line,
            "typed": turn.typed is not None, "match_score": turn.match_score, "codes": " ".join(turn.codes),
            "picks_up": " ".join(turn.picks_up), "detected": " ".join(turn.detected),
            "flags": "; ".join(f"{f.category}: {f.words}" for f in turn.flags), "flag_count": len(turn.flags),
            "flag_severity": sum(f.severity for f in turn.flags),
            "cues_offered": " ".join(e.cue for e in events if e.event == "offered"),
            "cues_picked_up": " ".join(e.cue for e in events if e.event == "picked_up"),
            "cues_missed": " ".join(e.cue for e in events if e.event == "missed"),
            "trust_after": turn.after.trust, "motivation_after": turn.after.motivation,
            "phase_after": turn.after.phase, "trust_change": turn.after.trust - turn.before.trust,
            "motivation_change": turn.after.motivation - turn.before.motivation,
            "effects": "; ".join(f"{e.source} {e.trust:+d}/{e.motivation:+d}" for e in turn.effects),
            "reply": turn.reply, "ended": turn.ended,
        })
    return rows


def write_csv(rows, columns: list[str], dialect: str = "standard", bom: bool = True) -> bytes:
    """The CSV file as bytes (UTF-8, BOM unless bom=False, CRLF line ends as Excel writes them)."""
    decimal_comma = dialect == "excel-nl"
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";" if decimal_comma else ",", lineterminator="\r\n",
                        quoting=csv.QUOTE_MINIMAL)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(c), decimal_comma) for c in columns])
    return (("\ufeff" if bom else "") + buf.getvalue()).encode("utf-8")
