"""trainer export SESSION... — sessions as JSON records, CSV, xAPI statements or a printable HTML report."""

from __future__ import annotations

from trainer.commands.common import add_lang, add_persona_dirs, add_sessions_dir

FORMATS = ("json", "csv", "xapi", "html")
EXTENSIONS = {"json": ".json", "csv": ".csv", "xapi": ".xapi.json", "html": ".html"}


def add_privacy(p) -> None:
    p.add_argument("--anonymise", "--anonymize", action="store_true",
                   help="replace the trainee's pseudonym by a stable salted hash (anon-...)")
    p.add_argument("--salt", metavar="TEXT", default=None,
                   help="salt for --anonymise (default: GESPREKSTRAINER_SALT, else the installation's salt file)")


def add_parser(sub) -> None:
    p = sub.add_parser(
        "export", help="export sessions (json, csv, xapi, html)",
        description="Export sessions for assessors. SESSION is a session id, the start of one (all sessions whose "
                    "id starts with it), a journal file, or a folder (all sessions in it).")
    p.add_argument("session", nargs="+", metavar="SESSION")
    p.add_argument("--format", "-f", choices=FORMATS, default="json", help="output format (default json)")
    p.add_argument("-o", "--output", metavar="PATH",
                   help="file to write (default: standard output); an existing folder gets one file per session "
                        "(json, xapi, html)")
    p.add_argument("--turns", action="store_true", help="csv: one row per turn instead of one row per session")
    p.add_argument("--per-turn", action="store_true", help="xapi: also one 'answered' statement per turn")
    p.add_argument("--dialect", choices=("standard", "excel-nl"), default="standard",
                   help="csv: standard (comma, decimal point) or excel-nl (semicolon, decimal comma)")
    add_privacy(p)
    add_sessions_dir(p)
    add_persona_dirs(p)
    add_lang(p)
    p.set_defaults(run=run)


def err(message: str) -> None:
    import sys

    print(f"trainer: {message}", file=sys.stderr)


def resolve_paths(args):
    """(paths, folder) or None after reporting the problems."""
    from trainer.export.load import find_sessions
    from trainer.paths import sessions_dir

    folder = sessions_dir(args.sessions)
    paths, problems = find_sessions(args.session, folder)
    for problem in problems:
        err(problem)
    if problems:
        return None
    return paths, folder


def load_records(paths, loader, pseudonyms) -> tuple[list, list[str]]:
    from trainer.export.load import ExportError
    from trainer.export.record import with_trainee

    records, errors = [], []
    for path in paths:
        try:
            rec = loader.record(path)
        except ExportError as exc:
            errors.append(str(exc))
            continue
        if pseudonyms.active:
            rec = with_trainee(rec, pseudonyms(rec.trainee), True)
        records.append(rec)
    return records, errors


def write_output(data: bytes, output: str | None) -> None:
    import sys

    from trainer.export.fileio import write_bytes_atomic

    if output is None or output == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        write_bytes_atomic(output, data)


def run(args) -> int:
    import sys
    from pathlib import Path

    from trainer.commands.common import resolve_lang
    from trainer.export.load import Loader
    from trainer.export.privacy import Pseudonyms
    from trainer.wiring import default_analyser

    lang = resolve_lang(args)
    found = resolve_paths(args)
    if found is None:
        return 1
    paths, _ = found
    fmt = args.format
    out_dir = Path(args.output) if args.output and Path(args.output).is_dir() else None
    if out_dir is not None and fmt == "csv":
        err(f"{args.output} is a folder; give a file name for the CSV (e.g. {Path(args.output) / 'sessions.csv'})")
        return 1
    if args.output and out_dir is None and not Path(args.output).parent.is_dir() and args.output != "-":
        err(f"cannot write {args.output}: folder {Path(args.output).parent} does not exist")
        return 1
    try:
        pseudonyms = Pseudonyms(args.anonymise, args.salt)
    except OSError as exc:
        err(str(exc))
        return 1
    loader = Loader(args.personas, default_analyser(), lang)
    errors: list[str] = []
    outputs: list[tuple[str | None, bytes]] = []  # (file name inside out_dir, data)
    count = 0

    if fmt == "csv":
        from trainer.export.csvout import SESSION_COLUMNS, TURN_COLUMNS, session_row, turn_rows, write_csv

        if args.turns:
            records, errors = load_records(paths, loader, pseudonyms)
            rows = [row for rec in records for row in turn_rows(rec)]
            data = write_csv(rows, TURN_COLUMNS, args.dialect)
            count = len(records)
        else:
            from trainer.export.summary import summaries

            rows, errors = summaries(paths, loader)
            data = write_csv([session_row(s, lang, pseudonyms) for s in rows], SESSION_COLUMNS, args.dialect)
            count = len(rows)
        if count:
            outputs.append((None, data))
    else:
        records, errors = load_records(paths, loader, pseudonyms)
        count = len(records)
        if fmt == "json":
            from trainer.export.record import record_to_dict

            if out_dir is not None:
                outputs += [(f"{r.session_id}.json", _json(record_to_dict(r))) for r in records]
            elif records:
                value = record_to_dict(records[0]) if len(records) == 1 else [record_to_dict(r) for r in records]
                outputs.append((None, _json(value)))
        elif fmt == "xapi":
            from trainer.export.xapi import statements

            unfinished = [r.session_id for r in records if not r.finished]
            for sid in unfinished:
                print(f"trainer: {sid} is not finished; unfinished sessions have no xAPI statements", file=sys.stderr)
            if out_dir is not None:
                outputs += [(f"{r.session_id}.xapi.json", _json(statements(r, args.per_turn)))
                            for r in records if r.finished]
            elif records:
                outputs.append((None, _json([s for r in records for s in statements(r, args.per_turn)])))
            count = len(records) - len(unfinished)
        else:  # html
            from trainer.export.html import render_html

            if out_dir is not None:
                outputs += [(f"{r.session_id}.html", render_html([r], lang).encode("utf-8")) for r in records]
            elif records:
                outputs.append((None, render_html(records, lang).encode("utf-8")))

    for message in errors:
        err(message)
    try:
        for name, data in outputs:
            write_output(data, str(out_dir / name) if out_dir is not None and name else args.output)
    except OSError as exc:
        err(f"cannot write {exc.filename or args.output}: {exc.strerror or exc}")
        return 1
    if args.output and args.output != "-" and outputs:
        where = out_dir if out_dir is not None else args.output
        print(f"{count} session(s) exported to {where}", file=sys.stderr)
    if not outputs and not errors:
        err("nothing to export")
        return 1
    return 1 if errors else 0


def _json(value) -> bytes:
    import json

    return (json.dumps(value, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
