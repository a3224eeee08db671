"""trainer send SESSION... --lrs URL — send finished sessions as xAPI statements to a learning record store."""

from __future__ import annotations

from trainer.commands.common import add_persona_dirs, add_sessions_dir

SAVE_EVERY = 50


def add_parser(sub) -> None:
    from trainer.export.xapiconf import add_options

    p = sub.add_parser(
        "send", help="send finished sessions to a learning record store (xAPI)",
        description="Send finished sessions as xAPI statements to an LRS. Trainees are identified by an account "
                    "on your --home-page, pseudonymous by default (a salted hash of the pseudonym). Sessions the "
                    "LRS already stored (see <sessions folder>/.sent.json) are skipped; after a failure, run the "
                    "same command again to send exactly the sessions that were not stored. Statement ids are "
                    "stable, so nothing is ever stored twice. --void takes sessions back out of the LRS.")
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
    p.add_argument("--timeout", type=float, default=20.0, metavar="SECONDS",
                   help="total time per request, answer included (default 20)")
    p.add_argument("--void", action="store_true",
                   help="take these sessions back: send xAPI voiding statements for every statement of them "
                        "that the LRS holds; they are not sent again")
    p.add_argument("--abandoned", action="store_true",
                   help="also send an 'abandoned' statement (no score, no verdict) for unfinished sessions")
    p.add_argument("--send-pseudonym", action="store_true",
                   help="identify trainees by the pseudonym as typed instead of its salted hash (it cannot be "
                        "taken back from the LRS afterwards, only voided)")
    p.add_argument("--anonymise", "--anonymize", action="store_true",
                   help="send a stable salted hash instead of the pseudonym (the default)")
    p.add_argument("--salt", metavar="TEXT", default=None, help="salt for the hash")
    add_options(p)
    add_sessions_dir(p)
    add_persona_dirs(p)
    p.set_defaults(run=run)


def run(args) -> int:
    import os
    import sys

    from trainer.commands.export import err, resolve_paths
    from trainer.engine.journal import actions
    from trainer.export.attempts import attempt_numbers
    from trainer.export.load import ExportError, Loader
    from trainer.export.lrs import LRSClient, LRSError, SendState
    from trainer.export.privacy import Pseudonyms
    from trainer.export.record import with_trainee
    from trainer.export.xapi import statements
    from trainer.export.xapiconf import XAPIConfigError, from_args
    from trainer.wiring import default_analyser

    url = args.lrs or os.environ.get("GESPREKSTRAINER_LRS_URL")
    user = args.user if args.user is not None else os.environ.get("GESPREKSTRAINER_LRS_USER")
    password = args.password if args.password is not None else os.environ.get("GESPREKSTRAINER_LRS_PASSWORD")
    missing = [name for name, value in (("--lrs", url), ("--user", user), ("--password", password)) if not value]
    if missing:
        err(f"missing {', '.join(missing)} (or GESPREKSTRAINER_LRS_URL/_USER/_PASSWORD)")
        return 1
    if args.send_pseudonym and args.anonymise:
        err("--send-pseudonym and --anonymise contradict each other")
        return 1
    try:
        settings = from_args(args)
    except XAPIConfigError as exc:
        err(str(exc))
        return 1
    found = resolve_paths(args)
    if found is None:
        return 1
    paths, _ = found
    try:
        client = LRSClient(url, user, password, timeout=args.timeout)
        pseudonyms = Pseudonyms(not args.send_pseudonym, args.salt)
    except LRSError as exc:
        err(str(exc))
        return 1
    except OSError as exc:
        err(str(exc))
        return 1
    states: dict = {}

    def state_of(folder):
        state = states.get(folder)
        if state is None:
            state = states[folder] = SendState(folder)
            try:
                state.lock(lambda: print(f"waiting for another 'trainer send' on {folder} to finish ...",
                                         file=sys.stderr))
            except OSError as exc:
                err(f"cannot lock the send state in {folder}: {exc.strerror or exc}")
        return state

    try:
        if args.void:
            return _void(args, paths, client, settings, state_of, states)
        loader = Loader(args.personas, default_analyser(), "nl")
        attempts = attempt_numbers({p.parent for p in paths})
        counts = {"sent": 0, "already": 0, "unfinished": 0, "failed": 0, "voided": 0}
        fatal: str | None = None

        def fail(sid: str, message: str) -> None:
            counts["failed"] += 1
            print(f"not sent  {sid}: {message}", file=sys.stderr)

        for path in paths:
            state = state_of(path.parent)
            try:
                data = loader.read(path)
            except ExportError as exc:
                fail(path.stem, str(exc))
                continue
            sid = data.session_id
            voided = state.voided_at(client.endpoint, sid)
            if voided:
                counts["voided"] += 1
                print(f"voided    {sid}: taken back from this LRS on {voided}; not sent again", file=sys.stderr)
                continue
            acts = actions(data.events)
            finished = bool(acts and acts[-1].get("ended"))
            key_turn = args.per_turn
            if not finished and args.abandoned:
                entry = state.entry(client.endpoint, sid)
                if entry and entry.get("abandoned_turns") == len(acts):
                    counts["already"] += 1
                    continue
            elif state.is_stored(client.endpoint, sid, key_turn):
                counts["already"] += 1
                continue
            if not finished and not args.abandoned:
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
            if pseudonyms.active:
                rec = with_trainee(rec, pseudonyms(rec.trainee), True)
            batch = statements(rec, args.per_turn, settings=settings,
                               attempt=attempts.get((str(path.parent), sid)), abandoned=args.abandoned)
            if not batch:
                counts["unfinished"] += 1
                print(f"skipped   {sid}: not finished (sent once it is finished)", file=sys.stderr)
                continue
            try:
                how = client.store(batch)
            except LRSError as exc:
                if exc.fatal:
                    fatal = str(exc)
                fail(sid, str(exc))
                continue
            if rec.finished:
                state.mark(client.endpoint, sid, [s["id"] for s in batch], args.per_turn)
            else:
                state.mark_abandoned(client.endpoint, sid, [s["id"] for s in batch], len(rec.turns))
            if how == "already":
                counts["already"] += 1
                print(f"in LRS    {sid}: already stored there", file=sys.stderr)
            else:
                counts["sent"] += 1
                what = "abandoned (not finished), 1 statement" if not rec.finished else f"{len(batch)} statements"
                note = " (the LRS kept an earlier version of some statements)" if how == "kept" else ""
                print(f"sent      {sid}: {what}{note}")
            if state.pending >= SAVE_EVERY:
                _save(state)
        for state in states.values():
            if not _save(state):
                return 1
        summary = (f"{counts['sent']} sent, {counts['already']} already in the LRS, "
                   f"{counts['unfinished']} not finished (skipped), {counts['failed']} not sent")
        if counts["voided"]:
            summary += f", {counts['voided']} voided earlier (not sent)"
        if counts["failed"]:
            print(f"{summary}. Run the same command again to send the ones that were not sent.", file=sys.stderr)
            return 1
        print(summary, file=sys.stderr)
        return 0
    finally:
        for state in states.values():
            state.unlock()


def _void(args, paths, client, settings, state_of, states) -> int:
    """Send voiding statements for every statement of these sessions that the LRS holds."""
    import sys

    from trainer.engine.journal import actions
    from trainer.export.load import ExportError, Loader
    from trainer.export.lrs import LRSError
    from trainer.export.xapi import statement_id, voiding_statement

    loader = Loader(args.personas, None, "nl")
    counts = {"voided": 0, "nothing": 0, "failed": 0}
    fatal = None
    for path in paths:
        state = state_of(path.parent)
        try:
            data = loader.read(path)
        except ExportError as exc:
            counts["failed"] += 1
            print(f"not voided {path.stem}: {exc}", file=sys.stderr)
            continue
        sid = data.session_id
        if fatal:
            counts["failed"] += 1
            print(f"not voided {sid}: {fatal}", file=sys.stderr)
            continue
        entry = state.entry(client.endpoint, sid) or {}
        candidates = [statement_id(sid, v) for v in ("completed", "passed", "failed")]
        candidates += [statement_id(sid, "answered", i) for i in range(1, len(actions(data.events)) + 1)]
        candidates += [statement_id(sid, "abandoned", i) for i in range(0, len(actions(data.events)) + 1)]
        candidates = list(dict.fromkeys(list(entry.get("ids", [])) + candidates))
        try:
            held = [i for i in candidates if client.holds(i, include_voided=False)]
            if held:
                client.store([voiding_statement(i, settings) for i in held])
        except LRSError as exc:
            if exc.fatal:
                fatal = str(exc)
            counts["failed"] += 1
            print(f"not voided {sid}: {exc}", file=sys.stderr)
            continue
        state.mark_voided(client.endpoint, sid, held)
        if held:
            counts["voided"] += 1
            print(f"voided    {sid}: {len(held)} statements")
        else:
            counts["nothing"] += 1
            print(f"voided    {sid}: the LRS holds none of its statements (nothing to take back)", file=sys.stderr)
    for state in states.values():
        if not _save(state):
            return 1
    summary = f"{counts['voided']} voided, {counts['nothing']} not in the LRS, {counts['failed']} not voided"
    print(summary, file=sys.stderr)
    return 1 if counts["failed"] else 0


def _save(state) -> bool:
    from trainer.commands.export import err

    try:
        state.save()
    except OSError as exc:
        err(f"cannot write the send state {state.path}: {exc.strerror or exc}; the sessions sent are stored in the "
            f"LRS and will be skipped by the LRS (not duplicated) next time")
        return False
    return True
