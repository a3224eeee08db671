"""trainer play [PERSONA] — open the simulator (or --plain for the line-based mode)."""

from __future__ import annotations

from trainer.commands.common import add_lang, add_persona_dirs, add_sessions_dir


def add_parser(sub) -> None:
    p = sub.add_parser("play", help="play a persona (opens the simulator; --plain for line mode)",
                       description="Play a conversation with a persona. Without --plain the terminal app opens.")
    p.add_argument("persona", nargs="?", help="persona id (e.g. henk) or a persona file")
    p.add_argument("--plain", action="store_true", help="line-based mode: numbered choices on stdin")
    p.add_argument("--free", action="store_true", help="free-text practice: type your own words")
    p.add_argument("--resume", nargs="?", const="", metavar="SESSION",
                   help="continue an unfinished session (default: the most recent one)")
    p.add_argument("--trainee", default="", help="your name or pseudonym (stored in the session)")
    p.add_argument("--assessment", action="store_true", help="assessment mode: meters hidden, no hints, no undo")
    p.add_argument("--no-tips", action="store_true",
                   help="advanced practice: meters shown, but no tips about which cue a persona line offers")
    p.add_argument("--debug", action="store_true", help="trainer playtest: node ids, phase, meters; reloads on save")
    p.add_argument("--start", metavar="NODE", help="test from here: start at this node (trainers)")
    p.add_argument("--trust", type=int, help="test from here: start value of trust")
    p.add_argument("--motivation", type=int, help="test from here: start value of motivation")
    add_persona_dirs(p)
    add_sessions_dir(p)
    add_lang(p)
    p.set_defaults(run=run)


def run(args) -> int:
    from trainer.commands.common import resolve_lang

    lang = resolve_lang(args)
    if not args.plain:
        from trainer.ui.app import run_app

        return run_app(args, lang)
    return run_plain(args, lang)


def find_session(ref: str, folder) -> str | None:
    """A session id, a path to a journal, or '' for the most recent unfinished session."""
    from pathlib import Path

    from trainer.engine.journal import list_sessions

    if ref and Path(ref).is_file():
        return ref
    rows = list_sessions(folder)
    if ref:
        matches = [r for r in rows if r["id"] == ref or r["id"].startswith(ref)]
    else:
        matches = [r for r in rows if not r["outcome"] and not r.get("damaged")]
        matches.sort(key=lambda r: r["started"])
    return matches[-1]["path"] if matches else None


def run_plain(args, lang: str) -> int:
    import sys

    from trainer.engine.journal import JournalWriteError, ResumeError
    from trainer.engine.runner import Run
    from trainer.engine.session import SessionError
    from trainer.i18n import t
    from trainer.paths import sessions_dir
    from trainer.persona.diagnostics import PersonaError
    from trainer.persona.registry import UnknownPersona
    from trainer.plain import PlainUI
    from trainer.safe_text import printable
    from trainer.wiring import default_analyser, free_text_handler

    folder = sessions_dir(args.sessions)
    analyser = default_analyser()
    try:
        if args.resume is not None:
            path = find_session(args.resume, folder)
            if path is None:
                what = f"session '{args.resume}'" if args.resume else "an unfinished session"
                print(f"trainer: cannot find {printable(what)} in {folder}", file=sys.stderr)
                return 1
            run, resumed = Run.resume(path, analyser, args.personas)
            if run.session.ended:
                print(f"trainer: session {run.session_id} has already ended "
                      f"({run.session.outcome}); see: trainer debrief {run.session_id}", file=sys.stderr)
                return 1
            print(t("resumed", lang, id=run.session_id, turns=len(run.session.turns)))
            if resumed.persona_changed:
                print(t("persona_changed", lang))
        else:
            if not args.persona:
                from trainer.persona.registry import available

                print("trainer: name a persona, e.g. `trainer play henk --plain`. Known: "
                      + ", ".join(sorted(available(args.personas))), file=sys.stderr)
                return 2
            meters = {k: v for k, v in (("trust", args.trust), ("motivation", args.motivation)) if v is not None}
            run = Run.start(args.persona, folder, analyser, trainee=args.trainee,
                            mode="assessment" if args.assessment else "practice", lang=lang,
                            persona_dirs=args.personas, start=args.start, meters=meters or None,
                            free_text=args.free)
    except JournalWriteError as exc:
        print(f"trainer: {printable(t('start_failed', lang, why=exc))}", file=sys.stderr)
        return 1
    except (ResumeError, UnknownPersona, SessionError) as exc:
        print(f"trainer: {printable(exc)}", file=sys.stderr)
        return 1
    except PersonaError as exc:
        for d in exc.diagnostics:
            print(printable(d), file=sys.stderr)
        return 1
    ui = PlainUI(run, lang=lang, free=args.free or run.header.get("free_text", False),
                 matcher=free_text_handler())
    if args.resume is None:
        ui.intro()
    return ui.loop()
