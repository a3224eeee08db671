"""The cohort overview of `trainer report`: per-session rows, most-missed cues, most frequent controlling
categories, and totals -- computed from cached summaries (summary.py), written as csv, xlsx or json.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import datetime

from trainer.export.strings import t
from trainer.i18n import CATEGORY_LABELS, LEVEL_LABELS, label


def _sort_key(s: dict):
    return (s["trainee"].lower(), s["started_at"] or "", s["session_id"])


def aggregate(summaries: list[dict], pseudonym=lambda p: p) -> dict:
    sessions = [dict(s, trainee=pseudonym(s["trainee"])) for s in summaries]
    sessions.sort(key=_sort_key)
    cues: dict[tuple[str, str], dict] = {}
    categories: dict[str, dict] = defaultdict(lambda: {"flags": 0, "sessions": 0, "severity": 0})
    for s in sessions:
        for cue, cue_label, status in s["cues"]:
            row = cues.setdefault((s["persona_id"], cue), {"persona_id": s["persona_id"], "persona_name":
                                  s["persona_name"], "cue": cue, "label": cue_label, "judged": 0, "picked_up": 0,
                                  "missed": 0})
            row["judged"] += 1
            row["picked_up" if status == "picked_up" else "missed"] += 1
        for category, count in s["categories"].items():
            c = categories[category]
            c["flags"] += count
            c["sessions"] += 1
            c["severity"] += s["category_severity"].get(category, 0)
    cue_rows = []
    for row in cues.values():
        row["missed_pct"] = round(100 * row["missed"] / row["judged"]) if row["judged"] else None
        cue_rows.append(row)
    cue_rows.sort(key=lambda r: (-r["missed"], -(r["missed_pct"] or 0), r["persona_id"], r["cue"]))
    cat_rows = [{"category": k, **v} for k, v in categories.items()]
    cat_rows.sort(key=lambda r: (-r["flags"], -r["severity"], r["category"]))
    finished = [s for s in sessions if s["finished"]]
    scores = [s["score"] for s in finished]
    totals = {
        "sessions": len(sessions), "finished": len(finished), "passed": sum(1 for s in finished if s["passed"]),
        "mean_score": round(sum(scores) / len(scores), 1) if scores else None,
        "trainees": len({s["trainee"] for s in sessions}),
        "controlling_flags": sum(s["controlling_count"] for s in sessions),
    }
    return {"sessions": sessions, "cues": cue_rows, "categories": cat_rows, "totals": totals}


def outcome_text(s: dict, lang: str) -> str:
    lab = s.get("outcome_label")
    return lab.get(lang, lab["nl"]) if lab else t("not_finished", lang)


def local_time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        stamp = datetime.fromisoformat(value)
    except ValueError:
        return None
    return stamp.astimezone().replace(tzinfo=None) if stamp.tzinfo else stamp


# --- human-readable session columns (xlsx) -------------------------------------------------------------------------

def session_columns(lang: str) -> list[tuple[str, callable, int]]:
    """(header, value, width) for the Sessions sheet."""
    return [
        (t("trainee", lang), lambda s: s["trainee"], 16),
        (t("persona", lang), lambda s: s["persona_name"], 12),
        (t("started", lang), lambda s: local_time(s["started_at"]), 17),
        (t("mode", lang), lambda s: t(f"mode_{s['mode']}", lang) if s["mode"] in ("practice", "assessment")
         else s["mode"], 10),
        (t("outcome", lang), lambda s: outcome_text(s, lang), 30),
        (t("score", lang), lambda s: s["score"], 8),
        (t("level", lang), lambda s: label(LEVEL_LABELS, s["level"], lang), 12),
        (t("passed", lang), lambda s: t("yes" if s["passed"] else "no", lang), 9),
        (t("controlling_count", lang), lambda s: s["controlling_count"], 12),
        (t("controlling_severity", lang), lambda s: s["controlling_severity"], 12),
        (t("cue_response_pct", lang), lambda s: s["cue_response_pct"], 12),
        (t("rq_ratio", lang), lambda s: s["rq_ratio"], 12),
        (t("complex_pct", lang), lambda s: s["complex_pct"], 12),
        (t("turns", lang), lambda s: s["turns"], 8),
        (t("duration_min", lang), lambda s: None if s["duration_seconds"] is None
         else round(s["duration_seconds"] / 60, 1), 10),
        (t("final_trust", lang), lambda s: s["final_trust"], 10),
        (t("final_motivation", lang), lambda s: s["final_motivation"], 10),
        (t("session_id", lang), lambda s: s["session_id"], 34),
    ]


def cue_columns(lang: str):
    return [
        (t("persona", lang), lambda r: r["persona_name"], 12),
        (t("cue", lang), lambda r: r["cue"], 18),
        (t("cue", lang) + " (label)", lambda r: r["label"], 40),
        (t("offered", lang), lambda r: r["judged"], 11),
        (t("picked", lang), lambda r: r["picked_up"], 11),
        (t("missed", lang), lambda r: r["missed"], 10),
        (t("missed_pct", lang), lambda r: r["missed_pct"], 10),
    ]


def category_columns(lang: str):
    return [
        (t("category", lang), lambda r: label(CATEGORY_LABELS, r["category"], lang), 28),
        ("id", lambda r: r["category"], 20),
        (t("flag_count", lang), lambda r: r["flags"], 10),
        (t("sessions", lang), lambda r: r["sessions"], 10),
        (t("severity_sum", lang), lambda r: r["severity"], 12),
    ]


def write_xlsx(agg: dict, lang: str) -> bytes:
    """Sessions, Cues and Categories sheets; bold frozen header row, widths set, auto filter on."""
    import io

    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    wb = Workbook(write_only=True)
    bold = Font(bold=True)
    sheets = (("Sessions" if lang == "en" else "Sessies", session_columns(lang), agg["sessions"]),
              ("Cues", cue_columns(lang), agg["cues"]),
              ("Categories" if lang == "en" else "Categorieën", category_columns(lang), agg["categories"]))
    for title, columns, rows in sheets:
        ws = wb.create_sheet(title)
        ws.freeze_panes = "A2"
        for i, (_, _, width) in enumerate(columns, 1):
            ws.column_dimensions[get_column_letter(i)].width = width
        ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(1, len(rows) + 1)}"
        header = []
        for name, _, _ in columns:
            cell = WriteOnlyCell(ws, value=name)
            cell.font = bold
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            header.append(cell)
        ws.append(header)
        for row in rows:
            values = [get(row) for _, get, _ in columns]
            for i, value in enumerate(values):
                if isinstance(value, str) and value.startswith("="):
                    cell = WriteOnlyCell(ws, value=value)
                    cell.data_type = "s"  # text, never a formula
                    values[i] = cell
                elif isinstance(value, datetime):
                    cell = WriteOnlyCell(ws, value=value)
                    cell.number_format = "yyyy-mm-dd hh:mm"
                    values[i] = cell
            ws.append(values)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def to_json(agg: dict, errors: list[str], anonymised: bool) -> str:
    from trainer import __version__

    out = {"generator": f"gesprekstrainer {__version__}", "anonymised": anonymised, "totals": agg["totals"],
           "sessions": agg["sessions"], "cues": agg["cues"], "categories": agg["categories"], "errors": errors}
    # compact above a few hundred sessions: json's C encoder only runs without indent (10x faster)
    indent = 1 if len(agg["sessions"]) <= 500 else None
    return json.dumps(out, ensure_ascii=False, indent=indent, separators=None if indent else (",", ":")) + "\n"
