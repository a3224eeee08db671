"""The cohort overview of `trainer report`: per-session rows, most-missed cues, most frequent controlling
categories, totals, and a gradebook (one row per trainee; a summary per persona; the flagged lines and missed cues
across the cohort: what the group needs to practise) -- computed from cached summaries (summary.py), written as
csv, xlsx, json or a printable HTML page (html.py).

Unfinished sessions have no verdict: no score, level or "passed" anywhere; they count as attempts.
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
            row = cues.get((s["persona_id"], cue))
            if row is None:  # (get, not setdefault: no new row built for every cue of every session)
                row = cues[(s["persona_id"], cue)] = {"persona_id": s["persona_id"], "persona_name": s["persona_name"],
                                                      "cue": cue, "label": cue_label, "judged": 0, "picked_up": 0,
                                                      "missed": 0}
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
    from trainer.export.attempts import attempts_from_summaries

    numbers = attempts_from_summaries(sessions)
    for row in sessions:
        row["attempt"] = numbers.get(row["session_id"])
    return Cohort(sessions=sessions, cues=cue_rows, categories=cat_rows, totals=totals)


class Cohort(dict):
    """What `aggregate` returns: sessions, cues, categories and totals, and the gradebook, personas and practice
    points, which are worked out the first time they are read (the terminal table and the csv never read them)."""

    def __missing__(self, key):
        if key == "gradebook":
            value = gradebook(self["sessions"])
        elif key == "personas":
            value = persona_summary(self["sessions"])
        elif key == "practice":
            value = practice(self["sessions"], self["cues"])
        else:
            raise KeyError(key)
        self[key] = value
        return value


def gradebook(sessions: list[dict]) -> list[dict]:
    """One row per trainee: per persona attempts, best and last score (finished attempts), last outcome, date."""
    rows: dict[str, dict] = {}
    for s in sorted(sessions, key=lambda s: (s["started_at"] or "", s["session_id"])):
        row = rows.get(s["trainee"])
        if row is None:
            row = rows[s["trainee"]] = {"trainee": s["trainee"], "attempts": 0, "finished": 0, "last_date": None,
                                        "personas": {}}
        per = row["personas"].get(s["persona_id"])
        if per is None:
            per = row["personas"][s["persona_id"]] = {
                "persona_name": s["persona_name"], "attempts": 0, "finished": 0, "best": None, "last": None,
                "last_outcome": None, "last_level": None, "passed": False, "last_date": None}
        row["attempts"] += 1
        per["attempts"] += 1
        when = s["started_at"]
        row["last_date"] = when or row["last_date"]
        per["last_date"] = when or per["last_date"]
        if s["finished"]:
            row["finished"] += 1
            per["finished"] += 1
            per["best"] = s["score"] if per["best"] is None else max(per["best"], s["score"])
            per["last"] = s["score"]
            per["last_outcome"] = s["outcome_label"]
            per["last_level"] = s["level"]
            per["passed"] = per["passed"] or bool(s["passed"])
    out = sorted(rows.values(), key=lambda r: r["trainee"].lower())
    for row in out:
        row["personas_passed"] = sum(1 for p in row["personas"].values() if p["passed"])
        row["personas_played"] = len(row["personas"])
    return out


def persona_summary(sessions: list[dict]) -> list[dict]:
    by: dict[str, dict] = {}
    for s in sessions:
        row = by.setdefault(s["persona_id"], {"persona_id": s["persona_id"], "persona_name": s["persona_name"],
                                              "trainees": set(), "attempts": 0, "finished": 0, "passed": 0,
                                              "scores": [], "turns": 0, "cue_pcts": [], "controlling": 0})
        row["trainees"].add(s["trainee"])
        row["attempts"] += 1
        row["turns"] += s["turns"]
        row["controlling"] += s["controlling_count"]
        if s["cue_response_pct"] is not None:
            row["cue_pcts"].append(s["cue_response_pct"])
        if s["finished"]:
            row["finished"] += 1
            row["passed"] += 1 if s["passed"] else 0
            row["scores"].append(s["score"])
    out = []
    for row in sorted(by.values(), key=lambda r: r["persona_name"].lower()):
        scores = row.pop("scores")
        pcts = row.pop("cue_pcts")
        out.append(dict(
            row, trainees=len(row["trainees"]),
            unfinished=row["attempts"] - row["finished"],
            pass_pct=round(100 * row["passed"] / row["finished"]) if row["finished"] else None,
            mean_score=round(sum(scores) / len(scores), 1) if scores else None,
            best_score=max(scores) if scores else None,
            mean_turns=round(row["turns"] / row["attempts"], 1) if row["attempts"] else None,
            mean_cue_pct=round(sum(pcts) / len(pcts)) if pcts else None,
            controlling_per_session=round(row["controlling"] / row["attempts"], 2) if row["attempts"] else None,
        ))
    return out


def practice(sessions: list[dict], cue_rows: list[dict]) -> list[dict]:
    """What the group needs to practise: flagged words (per persona, category and line) and missed cues, most
    frequent first."""
    lines: dict[tuple, dict] = {}
    for s in sessions:
        for category, severity, words, choice, line in s.get("flag_lines", ()):
            key = (s["persona_id"], category, choice, words.lower() if choice is None else "")
            row = lines.get(key)
            if row is None:
                row = lines[key] = {"kind": "flag", "persona_id": s["persona_id"], "persona_name": s["persona_name"],
                                    "category": category, "choice_id": choice, "words": words, "line": line,
                                    "count": 0, "severity": 0, "sessions": set(), "trainees": set()}
            row["count"] += 1
            row["severity"] += severity
            row["sessions"].add(s["session_id"])
            row["trainees"].add(s["trainee"])
    out = [dict(r, sessions=len(r["sessions"]), trainees=len(r["trainees"])) for r in lines.values()]
    out.sort(key=lambda r: (-r["count"], -r["severity"], r["persona_id"], r["category"], r["words"]))
    missed = [{"kind": "cue", "persona_id": c["persona_id"], "persona_name": c["persona_name"],
               "category": c["cue"], "choice_id": None, "words": c["label"], "line": None, "count": c["missed"],
               "severity": None, "sessions": c["judged"], "trainees": None, "missed_pct": c["missed_pct"]}
              for c in cue_rows if c["missed"]]
    return missed + out


def outcome_text(s: dict, lang: str) -> str:
    lab = s.get("outcome_label")
    return lab.get(lang, lab["nl"]) if lab else t("not_finished", lang)


def local_time(value: str | None, tz=None) -> datetime | None:
    """A time in the report's zone (timefmt.zone), naive, as a spreadsheet stores it."""
    from trainer.export.timefmt import in_zone, zone

    return in_zone(value, tz if tz is not None else zone()[0])


def verdict(s: dict, lang: str) -> str:
    """Passed yes/no, or "not finished": an unfinished attempt has no verdict."""
    if not s["finished"]:
        return t("not_finished", lang)
    return t("yes" if s["passed"] else "no", lang)


def level_text(s: dict, lang: str):
    return label(LEVEL_LABELS, s["level"], lang) if s["finished"] and s["level"] else None


# --- human-readable columns (xlsx) ---------------------------------------------------------------------------------

def session_columns(lang: str, tz, zone_name: str) -> list[tuple[str, callable, int]]:
    """(header, value, width) for the Sessions sheet."""
    return [
        (t("trainee", lang), lambda s: s["trainee"], 16),
        (t("persona", lang), lambda s: s["persona_name"], 12),
        (f"{t('started', lang)} ({zone_name})", lambda s: local_time(s["started_at"], tz), 17),
        (t("attempt", lang), lambda s: s.get("attempt"), 8),
        (t("mode", lang), lambda s: t(f"mode_{s['mode']}", lang) if s["mode"] in ("practice", "assessment")
         else s["mode"], 10),
        (t("outcome", lang), lambda s: outcome_text(s, lang), 30),
        (t("score", lang), lambda s: s["score"] if s["finished"] else None, 8),
        (t("level", lang), lambda s: level_text(s, lang), 12),
        (t("passed", lang), lambda s: verdict(s, lang), 12),
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


def persona_ids(agg: dict) -> list[tuple[str, str]]:
    return [(p["persona_id"], p["persona_name"]) for p in agg["personas"]]


def gradebook_columns(lang: str, personas: list[tuple[str, str]], tz, zone_name: str):
    cols = [
        (t("trainee", lang), lambda r: r["trainee"], 16),
        (t("attempts", lang), lambda r: r["attempts"], 10),
        (t("personas_passed", lang), lambda r: f"{r['personas_passed']}/{r['personas_played']}", 12),
        (f"{t('last_date', lang)} ({zone_name})", lambda r: local_time(r["last_date"], tz), 17),
    ]
    for pid, name in personas:
        def get(r, key, pid=pid):
            return (r["personas"].get(pid) or {}).get(key)

        def outcome(r, pid=pid):
            per = r["personas"].get(pid)
            if not per:
                return None
            if not per["finished"]:
                return t("not_finished", lang)
            lab = per["last_outcome"]
            return lab.get(lang, lab["nl"]) if lab else None

        cols += [
            (f"{name}: {t('attempts', lang).lower()}", lambda r, get=get: get(r, "attempts"), 10),
            (f"{name}: {t('best', lang)}", lambda r, get=get: get(r, "best"), 9),
            (f"{name}: {t('last', lang)}", lambda r, get=get: get(r, "last"), 9),
            (f"{name}: {t('outcome', lang).lower()}", outcome, 24),
            (f"{name}: {t('passed', lang).lower()}", lambda r, get=get: None if get(r, "attempts") is None
             else t("yes" if get(r, "passed") else "no", lang), 9),
            (f"{name}: {t('date', lang)}", lambda r, get=get: local_time(get(r, "last_date"), tz), 17),
        ]
    return cols


def persona_columns(lang: str):
    return [
        (t("persona", lang), lambda r: r["persona_name"], 14),
        (t("trainees", lang), lambda r: r["trainees"], 11),
        (t("attempts", lang), lambda r: r["attempts"], 10),
        (t("finished_n", lang), lambda r: r["finished"], 10),
        (t("not_finished", lang), lambda r: r["unfinished"], 12),
        (t("passed", lang), lambda r: r["passed"], 9),
        (t("pass_pct", lang), lambda r: r["pass_pct"], 10),
        (t("mean_score", lang), lambda r: r["mean_score"], 11),
        (t("best", lang).capitalize(), lambda r: r["best_score"], 9),
        (t("mean_turns", lang), lambda r: r["mean_turns"], 10),
        (t("cue_response_pct", lang), lambda r: r["mean_cue_pct"], 12),
        (t("controlling_per_session", lang), lambda r: r["controlling_per_session"], 14),
    ]


def practice_kind(r: dict, lang: str) -> str:
    return t("missed_cue", lang) if r["kind"] == "cue" else label(CATEGORY_LABELS, r["category"], lang)


def practice_columns(lang: str):
    return [
        (t("practice_kind", lang), lambda r: practice_kind(r, lang), 28),
        (t("persona", lang), lambda r: r["persona_name"], 12),
        (t("practice_what", lang), lambda r: r["words"], 30),
        (t("practice_full_line", lang), lambda r: r["line"], 50),
        (t("practice_line", lang), lambda r: (r["category"] if r["kind"] == "cue" else
                                             r["choice_id"] or t("typed", lang)), 16),
        (t("practice_count", lang), lambda r: r["count"], 10),
        (t("sessions", lang), lambda r: r["sessions"], 10),
        (t("trainees", lang), lambda r: r["trainees"], 10),
    ]


_ILLEGAL = None  # openpyxl's pattern of characters XML cannot hold (loaded with openpyxl)


def xlsx_value(value):
    """A cell value openpyxl can store: control characters (illegal in XML) replaced, long text cut off."""
    global _ILLEGAL
    if isinstance(value, str):
        if _ILLEGAL is None:
            from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE as _ILLEGAL
        from trainer.export.csvout import CELL_LIMIT, CUT_MARKER

        if _ILLEGAL.search(value):
            value = _ILLEGAL.sub("\ufffd", value)
        if len(value) > CELL_LIMIT:
            value = value[:CELL_LIMIT - len(CUT_MARKER)] + CUT_MARKER
    return value


def xlsx_sheets(agg: dict, lang: str, tz, zone_name: str):
    en = lang == "en"
    return [
        ("Gradebook" if en else "Cijferlijst", gradebook_columns(lang, persona_ids(agg), tz, zone_name),
         agg["gradebook"]),
        ("Personas" if en else "Persona's", persona_columns(lang), agg["personas"]),
        ("Practice points" if en else "Oefenpunten", practice_columns(lang), agg["practice"]),
        ("Sessions" if en else "Sessies", session_columns(lang, tz, zone_name), agg["sessions"]),
        ("Cues", cue_columns(lang), agg["cues"]),
        ("Categories" if en else "Categorieën", category_columns(lang), agg["categories"]),
    ]


def write_xlsx(agg: dict, lang: str, tz_name: str | None = None) -> bytes:
    """Gradebook, Personas, Practice points, Sessions, Cues and Categories sheets; bold frozen header row that
    repeats on every printed page, widths set, auto filter on, landscape A4 fitted to the page width."""
    import io

    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    from trainer.export.timefmt import zone

    tz, zone_name = zone(tz_name)
    wb = Workbook(write_only=True)
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    for title, columns, rows in xlsx_sheets(agg, lang, tz, zone_name):
        ws = wb.create_sheet(title)
        ws.freeze_panes = "A2"
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = "9"  # A4
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.print_title_rows = "1:1"
        ws.print_options.gridLines = True
        for i, (_, _, width) in enumerate(columns, 1):
            ws.column_dimensions[get_column_letter(i)].width = width
        ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(1, len(rows) + 1)}"
        header = []
        for name, _, _ in columns:
            cell = WriteOnlyCell(ws, value=xlsx_value(name))
            cell.font = bold
            cell.alignment = wrap
            header.append(cell)
        ws.append(header)
        getters = [get for _, get, _ in columns]
        for row in rows:
            values = [get(row) for get in getters]
            for i, value in enumerate(values):
                if isinstance(value, str):
                    value = values[i] = xlsx_value(value)
                    if value.startswith("="):
                        cell = WriteOnlyCell(ws, value=value)
                        cell.data_type = "s"  # text, never a formula
                        values[i] = cell
                elif isinstance(value, datetime):
                    cell = WriteOnlyCell(ws, value=value)
                    cell.number_format = "dd-mm-yyyy hh:mm" if lang == "nl" else "yyyy-mm-dd hh:mm"
                    values[i] = cell
            ws.append(values)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def to_json(agg: dict, errors: list[str], anonymised: bool) -> str:
    from trainer import __version__

    out = {"generator": f"gesprekstrainer {__version__}", "anonymised": anonymised, "totals": agg["totals"],
           "sessions": agg["sessions"], "cues": agg["cues"], "categories": agg["categories"],
           "gradebook": agg["gradebook"], "personas": agg["personas"], "practice": agg["practice"], "errors": errors}
    # compact above a few hundred sessions: json's C encoder only runs without indent (10x faster)
    indent = 1 if len(agg["sessions"]) <= 500 else None
    return json.dumps(out, ensure_ascii=False, indent=indent, separators=None if indent else (",", ":")) + "\n"
