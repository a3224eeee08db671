"""CSV exports: one row per session (from summaries) or one row per turn (from records).

Files are UTF-8 with a byte-order mark, so Excel shows ë and é correctly, and start with a header row. Two
dialects:

- "standard" (default): comma-separated, decimal point, stable English column ids and value ids (`own_choice`,
  `true`), ISO 8601 timestamps -- for scripts, R, pandas.
- "nl" (alias "excel-nl"): what a Dutch assessor opens in Excel or LibreOffice with Dutch settings: semicolons,
  decimal commas, Dutch column headers and values (`Eigen keuze afgesproken`, `ja`/`nee`, `oefenen`), times as
  `dd-mm-jjjj uu:mm` in one named time zone (in the header).

Both: an unfinished session has no score, level or verdict (empty cells, "Niet afgerond"). Text that Excel would
run as a formula (starting with = + - @ or a tab) gets a leading apostrophe, so a trainee who typed
"=HYPERLINK(...)" cannot plant a formula in an assessor's spreadsheet; a cell longer than Excel's limit of 32,767
characters is cut off with a marker.
"""

from __future__ import annotations

import csv
import io

from trainer.vocab import MI_CODES

DIALECTS = ("standard", "nl", "excel-nl")
_RISKY = ("=", "+", "-", "@", "\t", "\r")
CELL_LIMIT = 32_767  # Excel's maximum characters per cell
CUT_MARKER = " […]"

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


def is_dutch(dialect: str) -> bool:
    return dialect in ("nl", "excel-nl")


def _cell(value, dutch: bool):
    if value is None:
        return ""
    if isinstance(value, bool):
        if dutch:
            return "ja" if value else "nee"
        return "true" if value else "false"
    if isinstance(value, float):
        text = repr(round(value, 4))
        return text.replace(".", ",") if dutch else text
    if isinstance(value, int):
        return str(value)
    text = str(value)
    if text.startswith(_RISKY):
        text = "'" + text
    if len(text) > CELL_LIMIT:
        text = text[:CELL_LIMIT - len(CUT_MARKER)] + CUT_MARKER
    return text


# Dutch headers of the "nl" dialect (columns not listed keep their id)
NL_HEADERS = {
    "session_id": "Sessie-id", "trainee": "Deelnemer", "persona_id": "Persona-id", "persona_name": "Persona",
    "mode": "Modus", "started_at": "Begonnen", "finished_at": "Afgerond op", "duration_seconds": "Duur (s)",
    "finished": "Afgerond", "outcome": "Uitkomst", "outcome_label": "Uitkomst (tekst)", "turns": "Beurten",
    "score": "Score", "level": "Niveau", "passed": "Behaald", "rq_ratio": "Reflecties per vraag",
    "complex_reflection_pct": "% complexe reflecties", "cues_judged": "Cues beoordeeld",
    "cues_picked_up": "Cues opgepakt", "cue_response_pct": "% cues opgepakt",
    "controlling_count": "Controlerend (aantal)", "controlling_severity": "Controlerend (ernst)",
    "final_trust": "Vertrouwen eind", "final_motivation": "Motivatie eind", "final_phase": "Fase eind",
    "persona_changed": "Persona gewijzigd", "turn": "Beurt", "at": "Tijd", "node": "Knoop",
    "phase_before": "Fase voor", "trust_before": "Vertrouwen voor", "motivation_before": "Motivatie voor",
    "persona_line": "Persona zei", "choice_id": "Keuze-id", "trainee_line": "Deelnemer zei",
    "typed": "Zelf getypt", "match_score": "Overeenkomst", "codes": "MI-codes", "picks_up": "Pakt op",
    "detected": "Herkend", "flags": "Vlaggen", "flag_count": "Vlaggen (aantal)", "flag_severity": "Vlaggen (ernst)",
    "cues_offered": "Cues aangeboden", "cues_missed": "Cues gemist", "trust_after": "Vertrouwen na",
    "motivation_after": "Motivatie na", "phase_after": "Fase na", "trust_change": "Vertrouwen +/-",
    "motivation_change": "Motivatie +/-", "effects": "Effecten", "reply": "Persona antwoordde", "ended": "Einde",
}
_NL_TIME_COLUMNS = ("started_at", "finished_at", "at")


def nl_headers(columns: list[str], zone_name: str) -> list[str]:
    out = []
    for c in columns:
        if c.startswith("n_") and c[2:] in MI_CODES:
            from trainer.i18n import MI_LABELS, label

            out.append(f"Aantal {label(MI_LABELS, c[2:], 'nl').lower()}")
            continue
        name = NL_HEADERS.get(c, c)
        out.append(f"{name} ({zone_name})" if c in _NL_TIME_COLUMNS else name)
    return out


def dutch_values(row: dict, tz) -> dict:
    """Ids to Dutch words and ISO times to local times, for the "nl" dialect."""
    from trainer.export.timefmt import show
    from trainer.i18n import LEVEL_LABELS, PHASE_LABELS, label
    from trainer.vocab import OUTCOMES

    row = dict(row)
    for key in _NL_TIME_COLUMNS:
        if row.get(key):
            row[key] = show(row[key], tz, "nl")
    for key in ("outcome", "ended"):
        value = row.get(key)
        if value in OUTCOMES:
            row[key] = OUTCOMES[value]["nl"]
    if row.get("level"):
        row["level"] = label(LEVEL_LABELS, row["level"], "nl")
    if row.get("mode") in ("practice", "assessment"):
        row["mode"] = {"practice": "oefenen", "assessment": "toets"}[row["mode"]]
    for key in ("final_phase", "phase_before", "phase_after"):
        if row.get(key):
            row[key] = label(PHASE_LABELS, row[key], "nl")
    if "finished" in row and row.get("finished") is False and not row.get("outcome"):
        row["outcome"] = "Niet afgerond"
    return row


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


def write_csv(rows, columns: list[str], dialect: str = "standard", bom: bool = True, tz_name: str | None = None
              ) -> bytes:
    """The CSV file as bytes (UTF-8, BOM unless bom=False, CRLF line ends as Excel writes them)."""
    dutch = is_dutch(dialect)
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";" if dutch else ",", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    if dutch:
        from trainer.export.timefmt import zone

        tz, name = zone(tz_name)
        writer.writerow(nl_headers(columns, name))
        for row in rows:
            row = dutch_values(row, tz)
            writer.writerow([_cell(row.get(c), True) for c in columns])
    else:
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_cell(row.get(c), False) for c in columns])
    return (("\ufeff" if bom else "") + buf.getvalue()).encode("utf-8")
