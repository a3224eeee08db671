"""trainer lint [PATH...] [--strict] — validate, then warn about likely mistakes (codes KM101-KM116)."""

from __future__ import annotations

from trainer.commands.common import add_lang, add_persona_dirs


def add_parser(sub) -> None:
    p = sub.add_parser(
        "lint", help="check persona files for likely mistakes: unreachable nodes, loops without a way out, ...",
        description="Validate persona files, then check the valid ones for likely mistakes (unreachable nodes, "
                    "loops without a way out, conditions that can never hold, cues nobody picks up, ...). "
                    "Prints FILE:LINE:COL: CODE message. Exit 0 when there are no errors (with --strict: also no "
                    "warnings; KM108, choices without examples, is only info and never fails).")
    p.add_argument("paths", nargs="*", metavar="PATH", help="files, folders or persona ids (default: all personas)")
    p.add_argument("--strict", action="store_true", help="fail (exit 1) on warnings too, not only on errors")
    p.add_argument("--no-info", action="store_true", help="do not print info lines (KM108)")
    add_persona_dirs(p)
    add_lang(p)
    p.set_defaults(run=run)


def run(args) -> int:
    import sys

    from trainer.commands.common import count_words, persona_files, print_guide_hint, resolve_lang
    from trainer.persona.messages import set_lang

    set_lang(resolve_lang(args))
    from trainer.errors import SetupError
    from trainer.persona.lint import lint_file
    from trainer.wiring import lint_analyser, save_embeddings

    files, problems = persona_files(args.paths, args.personas)
    for problem in problems:
        print(problem, file=sys.stderr)
    failed = bool(problems)
    printed = False
    try:
        analyse = lint_analyser()  # KM107: controlling language in choices not tagged as such (lexicon + model)
    except SetupError as exc:  # a broken trainer lexicon: say so, and lint the rest
        print(f"trainer lint: {exc}; KM107 is skipped", file=sys.stderr)
        analyse = None
    for file in files:
        diags = lint_file(file, analyse=analyse)
        shown = [d for d in diags if not (args.no_info and d.severity == "info")]
        for d in shown:
            print(d, file=sys.stdout)
        printed = printed or bool(shown)
        errors = sum(d.is_error for d in diags)
        warnings = sum(d.severity == "warning" for d in diags)
        failed = failed or errors > 0 or (args.strict and warnings > 0)
        if errors:
            from trainer.persona.messages import m

            print(m("fix_errors_first", file=file, counts=count_words(diags)), file=sys.stderr)
        elif errors == 0 and warnings == 0:
            print(f"{file}: ok" + (f" ({count_words(diags)})" if diags else ""), file=sys.stdout)
        else:
            print(f"{file}: {count_words(diags)}", file=sys.stderr)
    if not files and not problems:
        print("no persona files found", file=sys.stderr)
        return 1
    save_embeddings()  # the choices' sentence vectors, so the next lint does not embed them again
    if printed:
        print_guide_hint()
    return 1 if failed else 0
