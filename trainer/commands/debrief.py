"""trainer debrief SESSION — print the debrief of a session (rich in a terminal, plain text when piped)."""

from __future__ import annotations

from trainer.commands.common import add_lang, add_persona_dirs, add_sessions_dir


def add_parser(sub) -> None:
    p = sub.add_parser("debrief", help="print the debrief of a session")
    p.add_argument("session", nargs="?", default="", help="session id, prefix or journal file (default: the latest)")
    p.add_argument("--json", action="store_true", help="the Debrief as JSON")
    add_sessions_dir(p)
    add_persona_dirs(p)
    add_lang(p)
    p.set_defaults(run=run)


def latest_or(ref: str, folder):
    from pathlib import Path

    from trainer.engine.journal import list_sessions

    if ref and Path(ref).is_file():
        return ref
    rows = list_sessions(folder)  # damaged journals included: the debrief says what is wrong, never "no session"
    if ref:
        rows = [r for r in rows if r["id"] == ref or r["id"].startswith(ref)]
    rows.sort(key=lambda r: r["started"])
    return rows[-1]["path"] if rows else None


def run(args) -> int:
    import json
    import sys

    from trainer.commands.common import resolve_lang
    from trainer.debrief.build import build_debrief
    from trainer.debrief.render import render_text
    from trainer.engine.journal import ResumeError, open_session
    from trainer.paths import sessions_dir
    from trainer.safe_text import json_safe, printable
    from trainer.wiring import default_analyser

    lang = resolve_lang(args)
    folder = sessions_dir(args.sessions)
    path = latest_or(args.session, folder)
    if path is None:
        print(f"trainer: no session '{printable(args.session)}' in {folder}" if args.session else f"trainer: no sessions in {folder}",
              file=sys.stderr)
        return 1
    try:
        opened = open_session(path, default_analyser(), args.personas, for_append=False, partial=True)
    except ResumeError as exc:
        print(f"trainer: {printable(exc)}", file=sys.stderr)
        return 1
    damaged = opened.data.damaged
    if damaged:  # the same words `trainer report` uses; what could be replayed is still shown
        print(f"trainer: {printable(damaged)}; this debrief covers what comes before it "
              f"({len(opened.session.turns)} turns)",
              file=sys.stderr)
    debrief = build_debrief(opened.session, lang)
    if args.json:
        print(json_safe(json.dumps(debrief.to_dict(), ensure_ascii=False, indent=2)))
    elif sys.stdout.isatty():
        from trainer.commands.rich_debrief import print_debrief

        print_debrief(debrief, lang)
    else:
        print(printable(render_text(debrief, lang)))
    return 1 if damaged else 0
