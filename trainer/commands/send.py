"""trainer send SESSION... --lrs URL — send finished sessions as xAPI statements to a learning record store."""

from __future__ import annotations

from trainer.commands.common import add_persona_dirs, add_sessions_dir

SAVE_EVERY = 50


def add_parser(sub) -> None:
    p = sub.add_parser(
        "send", help="send finished sessions to a learning record store (xAPI)",
        description="Send finished sessions as xAPI statements to an LRS. Sessions the LRS already stored (see "
                    "<sessions folder>/.sent.json) are skipped; after a failure, run the same command again to send "
                    "exactly the sessions that were not stored. Statement ids are stable, so nothing is ever "
                    "stored twice.")
    p.add_argument("session", nargs="+", metavar="SESSION",
                   help="session id, id prefix, journal file or folder (all sessions in it)")
    p.add_argument("--lrs", metavar="URL", default=None,
                   help="xAPI endpoint, e.g. https://lrs.example.org/xAPI (statements go to URL/statements); "
                        "also GESPREKSTRAINER_LRS_URL")
    p.add_argument("--user", default=None, help="LRS user or key (also GESPREKSTRAINER_LRS_USER)")
    p.add_argument("--password", default=None,
                   help="LRS password or secret (better: GESPREKSTRAINER_LRS_PASSWORD, which other users of this "
                        "computer cannot see in the process list)")
    p.add_argument("--per-turn", action="store_true", help="also send one 'answered' statement per turn")
    p.add_argument("--timeout", type=float, default=20.0, metavar="SECONDS", help="per request (default 20)")
    p.add_argument("--anonymise", "--anonymize", action="store_true",
                   help="send a stable salted hash instead of the pseudonym")
    p.add_argument("--salt", metavar="TEXT", default=None, help="salt for --anonymise")
    add_sessions_dir(p)
    add_persona_dirs(p)
    p.set_defaults(run=run)


def run(args) -> int:
    import os
    import sys

    from trainer.commands.export import err, resolve_paths
    from trainer.engine.journal import actions
    from trainer.export.load import ExportError, Loader
    from trainer.export.lrs import LRSClient, LRSError, SendState
    from trainer.export.privacy import Pseudonyms
    from trainer.export.record import with_trainee
    from trainer.export.xapi import statements
    from trainer.wiring import default_analyser

    url = args.lrs or os.environ.get("GESPREKSTRAINER_LRS_URL")
    user = args.user if args.user is not None else os.environ.get("GESPREKSTRAINER_LRS_USER")
    password = args.password if args.password is not None else os.environ.get("GESPREKSTRAINER_LRS_PASSWORD")
    missing = [name for name, value in (("--lrs", url), ("--user", user), ("--password", password)) if not value]
    if missing:
        err(f"missing {', '.join(missing)} (or GESPREKSTRAINER_LRS_URL/_USER/_PASSWORD)")
        return 1
    found = resolve_paths(args)
    if found is None:
        return 1
    paths, _ = found
    try:
        client = LRSClient(url, user, password, timeout=args.timeout)
        pseudonyms = Pseudonyms(args.anonymise, args.salt)
    except LRSError as exc:
        err(str(exc))
        return 1
    except OSError as exc:
        err(str(exc))
        return 1
    loader = Loader(args.personas, default_analyser(), "nl")
    states: dict = {}
    counts = {"sent": 0, "already": 0, "unfinished": 0, "failed": 0}
    fatal: str | None = None

    def fail(sid: str, message: str) -> None:
        counts["failed"] += 1
        print(f"not sent  {sid}: {message}", file=sys.stderr)

    for path in paths:
        state = states.get(path.parent)
        if state is None:
            state = states[path.parent] = SendState(path.parent)
        try:
            data = loader.read(path)
        except ExportError as exc:
            fail(path.stem, str(exc))
            continue
        sid = data.session_id
        if state.is_stored(client.endpoint, sid, args.per_turn):
            counts["already"] += 1
            continue
        acts = actions(data.events)
        if not (acts and acts[-1].get("ended")):
            counts["unfinished"] += 1
            print(f"skipped   {sid}: not finished (sent once it is finished)", file=sys.stderr)
            continue
        if fatal:
            fail(sid, fatal)
            continue
        try:
            rec = loader.record(path, data)
        except ExportError as exc:
            fail(sid, str(exc))
            continue
        if not rec.finished:
            counts["unfinished"] += 1
            print(f"skipped   {sid}: not finished (sent once it is finished)", file=sys.stderr)
            continue
        if pseudonyms.active:
            rec = with_trainee(rec, pseudonyms(rec.trainee), True)
        batch = statements(rec, args.per_turn)
        try:
            how = client.store(batch)
        except LRSError as exc:
            if exc.fatal:
                fatal = str(exc)
            fail(sid, str(exc))
            continue
        state.mark(client.endpoint, sid, [s["id"] for s in batch], args.per_turn)
        if how == "already":
            counts["already"] += 1
            print(f"in LRS    {sid}: already stored there", file=sys.stderr)
        else:
            counts["sent"] += 1
            note = " (the LRS kept an earlier version of some statements)" if how == "kept" else ""
            print(f"sent      {sid}: {len(batch)} statements{note}")
        if state.pending >= SAVE_EVERY:
            _save(state)
    for state in states.values():
        if not _save(state):
            return 1
    summary = (f"{counts['sent']} sent, {counts['already']} already in the LRS, "
               f"{counts['unfinished']} not finished (skipped), {counts['failed']} not sent")
    if counts["failed"]:
        print(f"{summary}. Run the same command again to send the ones that were not sent.", file=sys.stderr)
        return 1
    print(summary, file=sys.stderr)
    return 0


def _save(state) -> bool:
    from trainer.commands.export import err

    try:
        state.save()
    except OSError as exc:
        err(f"cannot write the send state {state.path}: {exc.strerror or exc}; the sessions sent are stored in the "
            f"LRS and will be skipped by the LRS (not duplicated) next time")
        return False
    return True
