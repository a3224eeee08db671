"""trainer explore PERSONA [--json] — every reachable state: endings, meter ranges, what is never reached."""

from __future__ import annotations

from trainer.commands.common import add_persona_dirs


def add_parser(sub) -> None:
    p = sub.add_parser("explore", help="explore every path of a persona (endings, meter ranges, dead states)",
                       description="Explore all reachable states (node x phase x meters) of a persona and report "
                                   "endings reached, meter ranges, unreached nodes and choices, and stuck states.")
    p.add_argument("persona", help="persona id or file")
    p.add_argument("--json", action="store_true", help="machine-readable report")
    p.add_argument("--max-layers", type=int, default=500, help="explore at most this many turns deep (default 500)")
    add_persona_dirs(p)
    p.set_defaults(run=run)


def run(args) -> int:
    import gc
    import os
    import sys

    if "numpy" not in sys.modules:  # the search uses no linear algebra: no BLAS thread pool to start
        os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    # A one-shot command whose objects live until it exits: the cycle collector would only walk the imported
    # modules and the persona's objects again and again, and once more at exit (together about 5 % of a fresh
    # run). Frozen when done, so the interpreter's collections at exit skip them; enabled again for a caller.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _run(args)
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()


def _check_in_a_child(ident: str, persona_dirs: list[str]) -> int | None:
    """Right after an edit the persona is checked anew: about 0.3 s, mostly loading pydantic, that the search would
    wait for. On a machine with fork and a second core a child process does that check, which only fills the cache
    of validated personas (trainer.persona.cache), while this process loads the search and the word list. Then this
    process loads the persona as always: from the cache, or, when the child found errors (it writes nothing then),
    by checking the file itself, so errors read exactly as before. The child's pid, or None: no edit (the persona is
    in the cache), no cache, no fork."""
    import os
    from pathlib import Path

    if not hasattr(os, "fork") or (os.cpu_count() or 1) < 2:
        return None
    from trainer.persona import cache
    from trainer.persona.registry import UnknownPersona, resolve

    try:
        path = resolve(ident, persona_dirs)
        entry = cache.entry(Path(path).read_bytes())
    except (UnknownPersona, OSError):
        return None  # reported by the normal load below
    if entry is None or entry.path.is_file():
        return None
    pid = os.fork()
    if pid == 0:  # the child: check and cache, print nothing, never return into the command
        try:
            from trainer.persona.loader import load_persona

            load_persona(path)
        except BaseException:
            pass
        finally:
            os._exit(0)
    return pid


def _run(args) -> int:
    import json
    import os
    import sys

    from trainer.commands.common import load_or_report

    child = _check_in_a_child(args.persona, args.personas)
    from trainer.engine.explore import explore
    from trainer.wiring import authored_categories

    categories = authored_categories()  # the persona's lines analysed at an earlier run are known
    if child is not None:  # meanwhile: what the search and an edited line need
        import numpy  # noqa: F401  (the search imports it on its first layer)

        categories.lexicon  # an edited persona often has a new line
        os.waitpid(child, 0)
    loaded = load_or_report(args.persona, args.personas, "explore")
    if loaded is None:
        return 1
    report = explore(loaded.persona, analyser=categories.analyser, max_layers=args.max_layers)
    categories.save()
    problems = bool(report.unreached_endings or report.unreached_nodes or report.stuck_states
                    or report.no_open_choice_nodes)
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
        return 1 if problems else 0
    out = []
    out.append(f"{report.persona}: {report.states} states, {report.transitions} transitions "
               f"({report.seconds:.2f} s){' — explored up to --max-layers turns deep; loops reach further' if report.truncated else ''}")
    out.append("")
    out.append("Endings reached:")
    for rep in sorted(report.endings.values(), key=lambda r: (r.outcome, r.ending)):
        longest = "unbounded (loop)" if rep.unbounded else rep.longest
        out.append(f"  {rep.ending:<24} {rep.outcome:<12} trust {rep.trust[0]}–{rep.trust[1]}, "
                   f"motivation {rep.motivation[0]}–{rep.motivation[1]}; turns: shortest {rep.shortest}, "
                   f"longest {longest}")
        out.append(f"    example: {' → '.join(rep.example) or '(start)'}")
    out.append("")
    out.append("Outcomes: " + ", ".join(
        f"{o} (shortest {d['shortest']}, longest {'∞' if d['unbounded'] else d['longest']})"
        for o, d in sorted(report.outcomes.items())))
    for title, items in (("Endings never reached", report.unreached_endings),
                         ("Nodes never reached", report.unreached_nodes),
                         ("Choices never open", report.untaken_choices)):
        if items:
            out.append(f"{title}: {', '.join(items)}")
    if report.stuck_states:
        out.append(f"States with no way to an ending: {report.stuck_states} (nodes: {', '.join(report.stuck_nodes)})")
        out.append(f"  example path: {' → '.join(report.stuck_example)}")
    else:
        out.append("Every reachable state has a way to an ending.")
    if report.unused_reactions:
        out.append("Reactions no typed line can get in any reachable state: " + ", ".join(report.unused_reactions))
    if report.reaction_gaps:
        out.append(f"Typed lines answered only by the fallback (no reaction) at {len(report.reaction_gaps)} "
                   f"node/phase pairs, e.g. {'; '.join(report.reaction_gaps[:3])}")
    if report.no_open_choice_nodes:
        out.append("Nodes where no choice condition holds in some state (the engine then opens all): "
                   + ", ".join(report.no_open_choice_nodes))
    print("\n".join(out))
    return 1 if problems else 0
