"""trainer validate [PATH...] — check persona files; exit 0 when valid, 1 with diagnostics."""

from __future__ import annotations

from trainer.commands.common import add_lang, add_persona_dirs


def add_parser(sub) -> None:
    p = sub.add_parser("validate", help="check persona files and print every error as FILE:LINE:COL: CODE message",
                       description="Check persona files (or folders, or ids). Exit 0 when all are valid, 1 otherwise.")
    p.add_argument("paths", nargs="*", metavar="PATH", help="files, folders or persona ids (default: all personas)")
    add_persona_dirs(p)
    add_lang(p)
    p.set_defaults(run=run)


def run(args) -> int:
    import sys

    from trainer.commands.common import count_words, persona_files, print_guide_hint, resolve_lang
    from trainer.persona.loader import check_text
    from trainer.persona.messages import set_lang

    set_lang(resolve_lang(args))

    files, problems = persona_files(args.paths, args.personas)
    for problem in problems:
        print(problem, file=sys.stderr)
    errors = len(problems)
    printed = False
    for file in files:
        _persona, diags = check_text(file)
        for d in diags:
            print(d, file=sys.stdout)
        printed = printed or bool(diags)
        n = sum(d.is_error for d in diags)
        errors += n
        if n == 0:
            warn = sum(not d.is_error for d in diags)
            # the verdict is the result, so stdout (scripts and editors read it there); counts and hints go to stderr
            print(f"{file}: ok" + (f" ({count_words([d for d in diags if not d.is_error])})" if warn else ""),
                  file=sys.stdout)
    if not files and not problems:
        print("no persona files found", file=sys.stderr)
        return 1
    if printed:
        print_guide_hint()
    return 1 if errors else 0
