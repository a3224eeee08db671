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


DIALECT_CHOICES = ("standard", "nl", "excel-nl")


def add_parser(sub) -> None:
    from trainer.export.xapiconf import add_options

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
    p.add_argument("--dialect", choices=DIALECT_CHOICES, default="standard",
                   help="csv: standard (comma, decimal point, ids) or nl (= excel-nl: semicolon, decimal comma, "
                        "Dutch headers and values)")
    p.add_argument("--abandoned", action="store_true",
                   help="xapi: an 'abandoned' statement (no score, no verdict) for each unfinished session")
    p.add_argument("--send-pseudonym", action="store_true",
                   help="xapi: identify trainees by the pseudonym as typed (default: its salted hash)")
    add_options(p)
    add_privacy(p)
    from trainer.export.timefmt import add_option

    add_option(p)
    add_sessions_dir(p)
    add_persona_dirs(p)
    add_lang(p)
    p.set_defaults(run=run)


def safe_text(text) -> str:
    """Text from a journal, safe to print (no terminal control sequences)."""
    try:
        from trainer.safe_text import clean  # the hardening branch's shared helper, when present
    except ImportError:
        import re

        return re.sub(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", "\ufffd", str(text))
    return clean(str(text))


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
    settings = None
    if fmt == "xapi":
        from trainer.export.xapiconf import XAPIConfigError, from_args

        try:
            settings = from_args(args)
        except XAPIConfigError as exc:
            err(str(exc))
            return 1
    from trainer.export.timefmt import ZoneError, zone

    try:
        tz = zone(args.tz)
    except ZoneError as exc:
        err(str(exc))
        return 1
    hashed = args.anonymise or (fmt == "xapi" and not args.send_pseudonym)  # xAPI: pseudonymous by default
    try:
        pseudonyms = Pseudonyms(hashed, args.salt)
    except OSError as exc:
        err(str(exc))
        return 1
    loader = Loader(args.personas, default_analyser(), lang)
    errors: list[str] = []
    outputs: list[tuple[str | None, bytes]] = []  # (file name inside out_dir, data)
    from trainer.export.fileio import UniqueNames

    names = UniqueNames()
    count = 0

    if fmt == "csv":
        from trainer.export.csvout import SESSION_COLUMNS, TURN_COLUMNS, session_row, turn_rows, write_csv

        if args.turns:
            records, errors = load_records(paths, loader, pseudonyms)
            rows = [row for rec in records for row in turn_rows(rec)]
            data = write_csv(rows, TURN_COLUMNS, args.dialect, tz_name=args.tz)
            count = len(records)
        else:
            from trainer.export.summary import summaries

            rows, errors = summaries(paths, loader)
            data = write_csv([session_row(s, lang, pseudonyms) for s in rows], SESSION_COLUMNS, args.dialect,
                             tz_name=args.tz)
            count = len(rows)
        if count:
            outputs.append((None, data))
    else:
        records, errors = load_records(paths, loader, pseudonyms)
        count = len(records)
        if fmt == "json":
            from trainer.export.record import record_to_dict

            if out_dir is not None:
                outputs += [(names(r, ".json"), _json(record_to_dict(r))) for r in records]
            elif records:
                value = record_to_dict(records[0]) if len(records) == 1 else [record_to_dict(r) for r in records]
                outputs.append((None, _json(value)))
        elif fmt == "xapi":
            from trainer.export.attempts import attempt_numbers
            from trainer.export.xapi import statements

            attempts = attempt_numbers({p.parent for p in paths})
            by_id = {}
            for path in paths:
                by_id.setdefault(path.stem, str(path.parent))

            def make(r):
                folder = by_id.get(r.journal.file[:-6] if r.journal.file.endswith(".jsonl") else r.journal.file)
                return statements(r, args.per_turn, settings=settings, attempt=attempts.get((folder, r.session_id)),
                                  abandoned=args.abandoned)

            unfinished = [r.session_id for r in records if not r.finished]
            if not args.abandoned:
                for sid in unfinished:
                    print(f"trainer: {safe_text(sid)} is not finished; unfinished sessions have no verdict and no "
                          f"xAPI statements (--abandoned: an 'abandoned' statement)", file=sys.stderr)
            kept = [r for r in records if r.finished or args.abandoned]
            if out_dir is not None:
                outputs += [(names(r, ".xapi.json"), _json(make(r))) for r in kept]
            elif records:
                outputs.append((None, _json([s for r in kept for s in make(r)])))
            count = len(kept)
        else:  # html
            from trainer.export.html import render_html

            if out_dir is not None:
                outputs += [(names(r, ".html"), render_html([r], lang, tz).encode("utf-8")) for r in records]
            elif records:
                outputs.append((None, render_html(records, lang, tz).encode("utf-8")))

    for message in errors:
        err(message)
    try:
        for name, data in outputs:
            target = args.output
            if out_dir is not None and name:
                target = out_dir / name
                if target.resolve().parent != out_dir.resolve():  # never outside -o FOLDER (names are sanitised)
                    err(f"refusing to write {name!r} outside {out_dir}")
                    return 1
            write_output(data, str(target) if target is not None else None)
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
