"""trainer sessions — list the sessions in the sessions folder."""

from __future__ import annotations

from trainer.commands.common import add_sessions_dir


def add_parser(sub) -> None:
    p = sub.add_parser("sessions", help="list sessions (id, persona, started, turns, outcome)")
    add_sessions_dir(p)
    p.add_argument("--json", action="store_true", help="one JSON object per session")
    p.set_defaults(run=run)


def run(args) -> int:
    import json

    import sys

    from trainer.engine.journal import list_sessions
    from trainer.paths import sessions_dir
    from trainer.safe_text import json_safe, printable

    folder = sessions_dir(args.sessions)
    rows = list_sessions(folder)
    if args.json:
        for row in rows:
            print(json_safe(json.dumps(row, ensure_ascii=False)))
        return 0
    if not rows:
        print(f"no sessions in {folder}")
        return 0
    widths = (32, 10, 16, 26, 6)
    print(f"{'id':<32} {'persona':<10} {'trainee':<16} {'started':<26} {'turns':>5}  outcome")
    for r in rows:  # every field comes from a file: printed with its control characters made visible
        outcome = "damaged" if r["damaged"] else r["outcome"] or "unfinished"
        print(printable(f"{r['id']:<32} {r['persona'] or '?':<10} {r['trainee'][:16]:<16} {r['started']:<26} "
                        f"{r['turns']:>5}  {outcome}"))
    for r in rows:
        if r["damaged"]:
            print(f"trainer: {printable(r['damaged'])}", file=sys.stderr)
    return 0
