"""trainer match PERSONA NODE "typed text" — test the free-text matcher: ranked choices, scores and the decision."""

from __future__ import annotations

from trainer.commands.common import add_persona_dirs


def add_parser(sub) -> None:
    p = sub.add_parser(
        "match", help="test free-text matching: how typed words are mapped to a node's choices",
        description="Show how the free-text matcher reads a typed line at a node: every open choice with its score, "
                    "the authored text it was closest to, and the decision (match, tie = the trainee is asked which "
                    "was meant, or fallback). Without TEXT, reads one line per test from standard input.")
    p.add_argument("persona", help="persona id or file")
    p.add_argument("node", help="node id")
    p.add_argument("text", nargs="*", help="the typed line (quote it); several words are joined")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.add_argument("--all", action="store_true", help="rank every choice of the node, also those whose 'if:' is false")
    p.add_argument("--trust", type=int, help="trust for the choices' conditions (default: the persona's start value)")
    p.add_argument("--motivation", type=int, help="motivation for the conditions (default: the start value)")
    add_persona_dirs(p)
    p.set_defaults(run=run)


def _open_choices(persona, node_id: str, meters: dict, every: bool):
    from trainer.engine.session import OpenChoice, Session, choice_id

    if every:
        node = next(n for n in persona.nodes if n.id == node_id)
        return [OpenChoice(i + 1, choice_id(node, i), c) for i, c in enumerate(node.choices)]
    return Session(persona, start=node_id, meters=meters or None).open_choices()


def _print(result, persona=None) -> None:
    from trainer.freetext.acts import UNSURE
    from trainer.freetext.meaning import TOPIC_BELOW, about_something_else
    from trainer.freetext.matcher import DEFAULT

    def print(text: str) -> None:  # noqa: A001 - typed text and persona text: control characters made visible
        import builtins

        from trainer.safe_text import printable

        builtins.print(printable(text))

    decision = {
        "match": f"match: {result.best.id if result.best else '-'} ({result.score:.3f})",
        "tie": "tie: the trainee is asked which was meant: " + ", ".join(f"{c.id} ({c.score:.3f})"
                                                                         for c in result.candidates),
        "fallback": {"below_threshold": f"no choice fits: best {result.score:.3f} (words and meaning) "
                                        f"< {DEFAULT.meaning_below}" if result.best else "fallback",
                     "other_node": "fallback: the line fits another moment of the conversation better"
                                   + (f" ({result.elsewhere[0]}, {result.elsewhere[1]:.3f})" if result.elsewhere else ""),
                     "empty": "fallback: nothing to match"}.get(result.reason, "fallback"),
    }[result.kind]
    print(f"{result.node}: \"{result.typed}\"")
    if result.act:
        print(f"  act: {result.act} ({result.act_confidence:.2f}; next {result.act_runner_up})"
              + (f"  categories: {', '.join(result.detected)}" if result.detected else ""))
    print(f"  -> {decision}")
    if result.kind == "fallback":
        if result.reaction and persona is not None:
            rule = next(r for i, r in enumerate(persona.reactions) if (r.id or f"reactions.{i + 1}") == result.reaction)
            where = rule.next or "stays at the node"
            print(f"  -> reaction {result.reaction} (acts {', '.join(rule.acts)}; effects trust {rule.effects.trust:+d}, "
                  f"motivation {rule.effects.motivation:+d}; {where}): \"{' '.join(rule.say[0].split())}\""
                  + (f" (+{len(rule.say) - 1} more, said in turn)" if len(rule.say) > 1 else ""))
        elif result.reason == "empty":
            print("  -> the persona's fallback: nothing to go on")
        elif result.act == "off_topic" or result.act_confidence < UNSURE:
            print(f"  -> the persona's fallback: the line reads as off topic or unclear (act {result.act}, "
                  f"{result.act_confidence:.2f})")
        elif about_something_else(result.topic, result.detected):
            print(f"  -> the persona's fallback: the line seems to be about something else (closest in meaning to "
                  f"anything written for this persona: {result.topic:.2f} < {TOPIC_BELOW})")
        else:
            print(f"  -> the persona's fallback: no reaction written for act '{result.act}' here")
    for c in result.ranked:
        text = " ".join(c.text.split())
        parts = f"words {c.words:.3f}, meaning {c.meaning:.3f}" if c.meaning is not None else f"words {c.content:.3f}"
        print(f"  {c.number}. {c.id:<24} {c.score:.3f} ({parts})  {text[:64] + ('…' if len(text) > 64 else '')}")
        if c.evidence and c.evidence != c.text:
            ev = " ".join(c.evidence.split())
            print(f"     {'':<24} closest: \"{ev[:80] + ('…' if len(ev) > 80 else '')}\"")


def run(args) -> int:
    import json
    import sys

    from trainer.engine.session import Session
    from trainer.freetext.play import match
    from trainer.persona.diagnostics import PersonaError
    from trainer.persona.loader import load_persona
    from trainer.persona.registry import UnknownPersona, resolve

    try:
        persona = load_persona(resolve(args.persona, args.personas)).persona
    except UnknownPersona as exc:
        print(f"trainer: {exc}", file=sys.stderr)
        return 1
    except PersonaError as exc:
        for d in exc.diagnostics:
            print(d, file=sys.stderr)
        return 1
    nodes = [n.id for n in persona.nodes]
    if args.node not in nodes:
        from trainer.safe_text import printable

        print(f"trainer: persona '{persona.id}' has no node '{printable(args.node)}'. Nodes: {', '.join(nodes)}", file=sys.stderr)
        return 1
    texts = [" ".join(args.text)] if args.text else [line.strip() for line in sys.stdin if line.strip()]
    if not texts:
        print("trainer: give the typed text (or lines on standard input)", file=sys.stderr)
        return 2
    meters = {k: v for k, v in (("trust", args.trust), ("motivation", args.motivation)) if v is not None}
    session = Session(persona, start=args.node, meters=meters or None)
    if args.all:  # rank every choice of the node, conditions ignored
        options = _open_choices(persona, args.node, meters, True)
        session.open_choices = lambda: list(options)
    results = [match(session, text) for text in texts]
    if args.json:
        out = [r.to_dict() for r in results]
        from trainer.safe_text import json_safe

        print(json_safe(json.dumps(out[0] if len(out) == 1 else out, ensure_ascii=False, indent=2)))
    else:
        for k, r in enumerate(results):
            if k:
                print()
            _print(r, persona)
    return 0
