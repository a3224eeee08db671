"""trainer report [DIR] — cohort overview of all sessions in a folder (table, csv, xlsx or json).

The terminal table (rich) lives here, so trainer/export stays free of rich.
"""

from __future__ import annotations

from trainer.commands.common import add_lang, add_persona_dirs, add_sessions_dir

FORMATS = ("table", "csv", "xlsx", "json", "html")


def add_parser(sub) -> None:
    from trainer.commands.export import add_privacy

    p = sub.add_parser(
        "report", help="cohort overview of a folder of sessions (table, csv, xlsx, json, html)",
        description="Overview of all sessions in a folder: per session trainee, persona, outcome, score, level, "
                    "controlling language and cue response; the most-missed cues and the most frequent "
                    "controlling categories; in xlsx, json and html also a gradebook (one row per trainee), a "
                    "summary per persona and what the group needs to practise. Summaries are cached in "
                    "DIR/.cache, so a second run is fast.")
    p.add_argument("folder", nargs="?", metavar="DIR", default=None,
                   help="folder of sessions (default: the sessions folder)")
    p.add_argument("--format", "-f", choices=FORMATS, default="table")
    p.add_argument("-o", "--output", metavar="FILE", help="file to write (default: standard output)")
    p.add_argument("--limit", type=int, default=100, metavar="N",
                   help="table: show at most N sessions (0 = all; default 100)")
    p.add_argument("--dialect", choices=("standard", "nl", "excel-nl"), default="standard",
                   help="csv: standard (comma, ids) or nl (= excel-nl: semicolon, decimal comma, Dutch headers "
                        "and values)")
    p.add_argument("--no-cache", action="store_true", help="rebuild every summary (and do not write the cache)")
    add_privacy(p)
    from trainer.export.timefmt import add_option

    add_option(p)
    add_sessions_dir(p)
    add_persona_dirs(p)
    add_lang(p)
    p.set_defaults(run=run)


def run(args) -> int:
    import sys
    from pathlib import Path

    from trainer.commands.common import resolve_lang
    from trainer.commands.export import err
    from trainer.export.load import Loader
    from trainer.export.privacy import Pseudonyms
    from trainer.export.summary import Stats, summaries
    from trainer.export.timefmt import ZoneError, zone
    from trainer.paths import sessions_dir
    from trainer.wiring import default_analyser

    lang = resolve_lang(args)
    folder = Path(args.folder) if args.folder else sessions_dir(args.sessions)
    if not folder.is_dir():
        err(f"no such folder: {folder}")
        return 1
    if args.output and args.output != "-" and not Path(args.output).parent.is_dir():
        err(f"cannot write {args.output}: folder {Path(args.output).parent} does not exist")
        return 1
    if args.format == "xlsx" and not args.output and sys.stdout.isatty():
        err("an xlsx file cannot be shown in the terminal; give -o FILE.xlsx")
        return 1
    try:
        pseudonyms = Pseudonyms(args.anonymise, args.salt)
        tz, zone_name = zone(args.tz)
    except (OSError, ZoneError) as exc:
        err(str(exc))
        return 1
    paths = sorted(folder.glob("*.jsonl"), key=lambda p: p.name)  # one folder: same order, 10x faster
    loader = Loader(args.personas, default_analyser(), lang)
    stats = Stats()  # the cache is written while the report is made (stats.saved waits for it)
    rows, errors = summaries(paths, loader, use_cache=not args.no_cache, stats=stats, background=True)
    try:
        return _report(args, lang, folder, paths, rows, errors, pseudonyms, tz, zone_name)
    finally:
        stats.saved()


def _report(args, lang, folder, paths, rows, errors, pseudonyms, tz, zone_name) -> int:
    import sys
    from pathlib import Path

    from trainer.commands.export import err, write_output
    from trainer.export.cohort import aggregate, to_json, write_xlsx
    from trainer.export.strings import t
    from trainer.export.summary import paused_gc
    from trainer.safe_text import printable

    for message in errors[:20]:
        err(printable(message))
    if len(errors) > 20:
        err(f"... and {len(errors) - 20} more sessions that cannot be read")
    with paused_gc():  # thousands of summaries without a cycle among them (see paused_gc)
        agg = aggregate(rows, pseudonyms)
        if args.format == "table":
            if args.output and args.output != "-":
                import io

                buf = io.StringIO()
                print_table(agg, lang, args.limit, folder, file=buf, width=160, tz=(tz, zone_name))
                write_output(buf.getvalue().encode("utf-8"), args.output)
            else:
                print_table(agg, lang, args.limit, folder, tz=(tz, zone_name))
        else:
            try:
                if args.format == "json":
                    data = to_json(agg, errors, pseudonyms.active).encode("utf-8")
                elif args.format == "xlsx":
                    data = write_xlsx(agg, lang, args.tz)
                elif args.format == "html":
                    from trainer.export.html import render_cohort

                    data = render_cohort(agg, lang, str(folder.name), tz=(tz, zone_name)).encode("utf-8")
                else:
                    from trainer.export.csvout import SESSION_COLUMNS, session_row, write_csv

                    data = write_csv([session_row(s, lang) for s in agg["sessions"]], SESSION_COLUMNS, args.dialect,
                                     tz_name=args.tz)
                write_output(data, args.output)
            except OSError as exc:
                err(f"cannot write {args.output}: {exc.strerror or exc}")
                return 1
            if args.output and args.output != "-":
                print(f"{len(agg['sessions'])} sessions -> {args.output}", file=sys.stderr)
    if not paths:
        print(t("no_sessions", lang, folder=folder), file=sys.stderr)
    return 1 if errors else 0


def _pct(value) -> str:
    return "—" if value is None else f"{value} %"


def print_table(agg: dict, lang: str, limit: int, folder, file=None, width: int | None = None, tz=None) -> None:
    from rich import box
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from trainer.export.cohort import local_time, outcome_text
    from trainer.export.timefmt import zone
    from trainer.safe_text import printable

    def cell(value) -> Text:  # file content: no markup, no control characters
        return Text(printable(value))
    from trainer.export.strings import t
    from trainer.i18n import CATEGORY_LABELS, LEVEL_LABELS, label

    tz, zone_name = tz or zone()
    console = Console(file=file, width=width, highlight=False, soft_wrap=False)
    if not console.is_terminal and width is None:
        console.width = 160
    totals = agg["totals"]
    mean = "—" if totals["mean_score"] is None else f"{totals['mean_score']:.1f}"
    console.print(f"[bold]{t('cohort_title', lang)}[/bold] — ", Text(printable(folder)), sep="")
    console.print(t("totals", lang, n=totals["sessions"], finished=totals["finished"], passed=totals["passed"],
                    mean=mean))
    sessions = agg["sessions"]
    shown = sessions if limit <= 0 else sessions[:limit]
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    started_head = f"{t('started', lang)} ({zone_name})"
    for name, justify in ((t("trainee", lang), "left"), (t("persona", lang), "left"), (started_head, "left"),
                          (t("outcome", lang), "left"), (t("score", lang), "right"), (t("level", lang), "left"),
                          (t("controlling", lang), "right"), (t("cue_rate", lang), "right")):
        table.add_column(name, justify=justify, overflow="fold")
    styles = {"goed": "green", "voldoende": "yellow", "onvoldoende": "red"}
    for s in shown:
        started = local_time(s["started_at"], tz)
        if s["finished"]:  # an unfinished attempt has no score and no verdict
            score, level = str(s["score"]), f"[{styles.get(s['level'], '')}]{label(LEVEL_LABELS, s['level'], lang)}[/]"
        else:
            score, level = "—", "—"
        table.add_row(
            cell(s["trainee"] or "—"), cell(s["persona_name"]), started.strftime("%Y-%m-%d %H:%M") if started else "—",
            cell(outcome_text(s, lang)), score, level,
            f"{s['controlling_count']} ({s['controlling_severity']})", _pct(s["cue_response_pct"]),
        )
    console.print(table)
    if len(shown) < len(sessions):
        console.print(t("more_rows", lang, n=len(sessions) - len(shown)), style="dim")
    cues = [c for c in agg["cues"] if c["missed"]][:10]
    if cues:
        ct = Table(title=t("most_missed", lang), title_justify="left", box=box.SIMPLE_HEAD, show_edge=False,
                   pad_edge=False)
        for name, justify in ((t("persona", lang), "left"), (t("cue", lang), "left"), (t("missed", lang), "right"),
                              (t("offered", lang), "right"), (t("missed_pct", lang), "right")):
            ct.add_column(name, justify=justify, overflow="fold")
        for c in cues:
            ct.add_row(cell(c["persona_name"]), cell(c["label"]), str(c["missed"]), str(c["judged"]), _pct(c["missed_pct"]))
        console.print(ct)
    cats = agg["categories"][:10]
    if cats:
        kt = Table(title=t("most_categories", lang), title_justify="left", box=box.SIMPLE_HEAD, show_edge=False,
                   pad_edge=False)
        for name, justify in ((t("category", lang), "left"), (t("flag_count", lang), "right"),
                              (t("sessions", lang), "right"), (t("severity_sum", lang), "right")):
            kt.add_column(name, justify=justify)
        for c in cats:
            kt.add_row(label(CATEGORY_LABELS, c["category"], lang), str(c["flags"]), str(c["sessions"]),
                       str(c["severity"]))
        console.print(kt)
