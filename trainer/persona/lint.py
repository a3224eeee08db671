"""Lint: warnings about a valid persona that is likely not what the trainer meant (codes KM101-KM116).

Each check is a plain function of a `Context` that returns diagnostics. They are static and fast: the graph
of choices (`flow`) and the values that matter for each condition (`satisfy`); the full state space is the
path explorer's job (`trainer explore`). Severity is "warning", except KM108 (choices without example
sentences), which is "info": worth knowing, but `trainer lint --strict` does not fail on it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from operator import attrgetter
from typing import Callable

from trainer.persona.conditions import parse
from trainer.persona.diagnostics import Diagnostic
from trainer.persona.flow import Flow, choice_id
from trainer.persona.model import Choice, Node, Persona
from trainer.persona.satisfy import UNKNOWN, Checker, Facts
from trainer.persona.yamlsrc import Source, gc_paused

WARNING, INFO = "warning", "info"


def _m(key: str, **fields) -> str:
    from trainer.persona.messages import m

    return m(key, **fields)


@dataclass
class _Place:
    """A choice with where it is in the file."""

    node: Node
    n: int  # index of the node in `nodes`
    c: int  # index of the choice in the node
    choice: Choice

    @property
    def path(self) -> tuple:
        return ("nodes", self.n, "choices", self.c)

    @property
    def id(self) -> str:
        return choice_id(self.node.id, self.c, self.choice.id)


@dataclass
class Context:
    persona: Persona
    src: Source
    analyse: Callable | None = None  # the controlling-language analyser (KM107), if available
    checker: Checker = field(init=False)

    def __post_init__(self):
        self.checker = Checker(self.persona.phases)

    def warn(self, path: tuple, code: str, message: str, severity: str = WARNING, offset: int = 0,
             key_pos: bool = False) -> Diagnostic:
        return self.src.at(path, code, message, key=key_pos, offset=offset, severity=severity)

    @cached_property
    def places(self) -> list[_Place]:
        return [_Place(node, n, c, choice) for n, node in enumerate(self.persona.nodes)
                for c, choice in enumerate(node.choices)]

    @cached_property
    def node_index(self) -> dict[str, int]:
        return {node.id: n for n, node in enumerate(self.persona.nodes)}

    @cached_property
    def structure(self) -> Flow:
        """Every choice, conditions ignored."""
        return Flow(self.persona)

    @cached_property
    def never_open(self) -> dict[str, Diagnostic]:
        """Choices whose condition can never hold (KM105), by choice id."""
        return {place.id: d for place in self.places if place.choice.when and (d := _never_open(self, place))}

    @cached_property
    def flow(self) -> Flow:
        """The choices that can be open: what the other graph checks use."""
        return Flow(self.persona, skip=set(self.never_open)) if self.never_open else self.structure

    @cached_property
    def descendants(self) -> dict[str, int]:
        return self.structure.descendants()

    def can_come_before(self, earlier: str, node: str) -> bool:
        """Can node `earlier` be visited at or before `node` in some conversation?"""
        if earlier == node:
            return True
        desc = self.descendants
        bit = 1 << self.node_index[node]
        return bool(desc.get(self.persona.start, 0) & (1 << self.node_index[earlier])) and bool(desc[earlier] & bit)

    def facts_at(self, node: Node, with_order: bool = True, calls: set | None = None) -> Facts:
        """What conditions at `node` can rely on. `calls`: the calls that matter (to keep the work small)."""
        true = {("visited", node.id), ("visited", self.persona.start)} | {("offered", c) for c in node.offers}
        false = {("offered", c) for c in self.never_offered} | {("picked_up", c) for c in self.never_picked_up}
        if with_order:
            for fn, arg in calls or ():
                if fn == "visited" and arg in self.node_index and not self.can_come_before(arg, node.id):
                    false.add((fn, arg))
        return Facts(frozenset(true), frozenset(false - true), 0 if node.id == self.persona.start else 1)

    @cached_property
    def never_offered(self) -> set[str]:
        offered = {c for node in self.persona.nodes for c in node.offers}
        return {cue.id for cue in self.persona.cues if cue.id not in offered}

    @cached_property
    def never_picked_up(self) -> set[str]:
        picked = {c for place in self.places for c in place.choice.picks_up}
        return {cue.id for cue in self.persona.cues if cue.id not in picked}


@lru_cache(maxsize=4096)
def _calls(condition: str) -> frozenset[tuple[str, str]]:
    return frozenset((fn, arg) for fn, arg, _offset in parse(condition).refs)


def _never_open(ctx: Context, place: _Place) -> Diagnostic | None:
    cond = place.choice.when
    calls = _calls(cond)
    if ctx.checker.example(cond, ctx.facts_at(place.node, calls=calls)) is not None:
        return None  # it can hold, or we cannot tell
    path = place.path + ("if",)
    if ctx.checker.example(cond, ctx.facts_at(place.node, with_order=False)) not in (None, UNKNOWN):
        # It only fails because of the order of the conversation: name the visited() that cannot be true yet.
        for fn, arg, offset in parse(cond).refs:
            if fn == "visited" and arg != place.node.id and not ctx.can_come_before(arg, place.node.id):
                return ctx.warn(path, "KM105", _m("lint_visited_never", arg=arg, node=place.node.id, choice=place.id),
                                offset=offset)
    return ctx.warn(path, "KM105", _m("lint_never_true", choice=place.id))


# --- the checks ------------------------------------------------------------------------------------------------

def never_open_choices(ctx: Context) -> list[Diagnostic]:
    """KM105: a choice whose condition can never hold."""
    return list(ctx.never_open.values())


def unreachable_nodes(ctx: Context) -> list[Diagnostic]:
    """KM101: a node no conversation reaches from the start."""
    out = []
    reached, structurally = ctx.flow.reachable(), ctx.structure.reachable()
    for n, node in enumerate(ctx.persona.nodes):
        if node.id not in reached:
            why = _m("lint_only_closed") if node.id in structurally else ""
            out.append(ctx.warn(("nodes", n, "id"), "KM101",
                                _m("lint_unreachable", node=node.id, start=ctx.persona.start, why=why)))
    return out


def traps(ctx: Context) -> list[Diagnostic]:
    """KM103: a loop from which no ending can be reached; KM102: a node where no choice can ever be open."""
    flow = ctx.flow
    reached, finishing = flow.reachable(), flow.can_finish()
    out = []
    for component in flow.components():
        first = component[0]
        if first not in reached or first in finishing:
            continue
        path = ("nodes", ctx.node_index[first], "id")
        if flow.is_loop(component):
            members = ", ".join(component[:8]) + (", ..." if len(component) > 8 else "")
            out.append(ctx.warn(path, "KM103", _m("lint_loop", members=members)))
        elif not flow.edges[first]:
            out.append(ctx.warn(path, "KM102", _m("lint_dead_end", node=first)))
    return out


def unreached_endings(ctx: Context) -> list[Diagnostic]:
    """KM104: an ending no path leads to (the break_off ending counts as reached)."""
    reached = ctx.flow.reachable()
    brk = ctx.persona.break_off.ending if ctx.persona.break_off else None
    return [ctx.warn(("endings", i, "id"), "KM104", _m("lint_unreached_ending", ending=end.id))
            for i, end in enumerate(ctx.persona.endings) if end.id not in reached and end.id != brk]


def cues_not_picked_up(ctx: Context) -> list[Diagnostic]:
    """KM106: a cue that no choice picks up."""
    return [ctx.warn(("cues", i, "id"), "KM106", _m("lint_not_picked", cue=cue.id))
            for i, cue in enumerate(ctx.persona.cues) if cue.id in ctx.never_picked_up]


def cues_not_offered(ctx: Context) -> list[Diagnostic]:
    """KM109: a cue that no node offers."""
    return [ctx.warn(("cues", i, "id"), "KM109", _m("lint_not_offered", cue=cue.id))
            for i, cue in enumerate(ctx.persona.cues) if cue.id in ctx.never_offered]


def controlling_untagged(ctx: Context) -> list[Diagnostic]:
    """KM107: a choice that the analyser finds controlling but that is not marked `controlling: true`."""
    if ctx.analyse is None:
        return []
    out = []
    for place in ctx.places:
        if place.choice.controlling:
            continue
        try:
            result = ctx.analyse(place.choice.text)
        except Exception:  # e.g. a broken lexicon file: the analyser reports that itself; lint the rest
            return out
        if not getattr(result, "controlling", False):
            continue
        found = sorted({f"{flag.category}: '{place.choice.text[flag.start:flag.end]}'"
                        if getattr(flag, "source", "lexicon") != "model" else
                        _m("lint_by_meaning", category=flag.category, score=f"{flag.score:.2f}")
                        for flag in getattr(result, "flags", ())
                        if isinstance(getattr(flag, "start", None), int)})
        detail = f" ({'; '.join(found)})" if found else ""
        out.append(ctx.warn(place.path + ("text",), "KM107", _m("lint_controlling", choice=place.id, detail=detail)))
    return out


def choices_without_examples(ctx: Context) -> list[Diagnostic]:
    """KM108 (info): a choice without `examples:`, so free-text matching only has its text to go on."""
    return [ctx.warn(place.path, "KM108", _m("lint_no_examples", choice=place.id), severity=INFO)
            for place in ctx.places if not place.choice.examples]


def nodes_without_open_choice(ctx: Context) -> list[Diagnostic]:
    """KM110: a reachable node where every choice has a condition and all can be false at the same time."""
    out = []
    reached = ctx.flow.reachable()
    for n, node in enumerate(ctx.persona.nodes):
        if node.id not in reached or any(c.when is None for c in node.choices):
            continue
        if not ctx.flow.edges[node.id]:
            continue  # no choice can ever be open: reported as a dead end (KM102)
        combined = "not (" + " or ".join(f"({c.when})" for c in node.choices) + ")"
        calls = frozenset().union(*(_calls(c.when) for c in node.choices))
        example = ctx.checker.example(combined, ctx.facts_at(node, calls=calls))
        if example is None or example == UNKNOWN:
            continue
        when = _m("lint_for_example", example=example) if example else ""
        out.append(ctx.warn(("nodes", n, "id"), "KM110", _m("lint_no_open", node=node.id, when=when)))
    return out


def variants_never_shown(ctx: Context) -> list[Diagnostic]:
    """KM111: a phase variant of a node that can never show, because the persona is never in that phase there.

    Two cases are certain: the start node, when no choice leads back to it, is only seen in the phase the start
    meters give; and a phase that the phase rules never allow at that node (with the facts known there)."""
    from types import SimpleNamespace

    from trainer.persona.conditions import compile_condition
    from trainer.persona.messages import m
    from trainer.vocab import DEFAULT_PHASE_RULES, PHASE_ORDER, PHASES

    p = ctx.persona
    rules = {**DEFAULT_PHASE_RULES, **p.phases}
    probe = SimpleNamespace(trust=p.meters.trust, motivation=p.meters.motivation, turns=0, phase=PHASES[0],
                            visited=frozenset(), picked_up=frozenset(), offered=frozenset())
    start_phase = next((ph for ph in PHASE_ORDER if compile_condition(rules[ph])(probe)), PHASES[0])
    revisited = any(e.target == p.start for edges in ctx.structure.edges.values() for e in edges)
    out = []
    for n, node in enumerate(p.nodes):
        for phase in node.variants:
            path = ("nodes", n, "variants", phase)
            if node.id == p.start and not revisited:
                if phase != start_phase:
                    out.append(ctx.warn(path, "KM111", m("variant_start", phase=phase, node=node.id,
                                                        start=start_phase, trust=p.meters.trust,
                                                        motivation=p.meters.motivation), key_pos=True))
            elif ctx.checker.example(f'phase == "{phase}"', ctx.facts_at(node)) is None:
                out.append(ctx.warn(path, "KM111", m("variant_never", phase=phase, node=node.id), key_pos=True))
    return out


def shared_nodes(ctx: Context) -> list[Diagnostic]:
    """KM112 (info): a node that several choices lead to; its line must fit after each of them."""
    from trainer.persona.messages import m

    incoming: dict[str, list[str]] = {}
    from_nodes: dict[str, set[str]] = {}
    for place in ctx.places:
        incoming.setdefault(place.choice.next, []).append(place.id)
        from_nodes.setdefault(place.choice.next, set()).add(place.node.id)
    out = []
    for n, node in enumerate(ctx.persona.nodes):
        sources = incoming.get(node.id, [])
        # choices of one node that lead to the same place were written side by side; choices from different
        # nodes are where a line that fits one of them may not fit the other
        if len(from_nodes.get(node.id, ())) >= 2:
            shown = ", ".join(sources[:6]) + (", ..." if len(sources) > 6 else "")
            out.append(ctx.warn(("nodes", n, "id"), "KM112", m("shared_node", node=node.id, n=len(sources),
                                                               choices=shown), severity=INFO))
    return out


_ORDER = attrgetter("file", "line", "col", "code", "message", "severity")  # Diagnostic's order, sorted in C

# --- reactions (KM113-KM116): how the persona answers typed lines that fit no choice ---------------------------

COMMON_ACTS = ("open_question", "simple_reflection", "complex_reflection", "affirmation", "directive")


def _reaction_path(ctx: Context, i: int) -> tuple:
    return ("reactions", i, "id") if ctx.persona.reactions[i].id else ("reactions", i)


def unused_reactions(ctx: Context) -> list[Diagnostic]:
    """KM113: a reaction no typed line can ever get, because more specific rules (or rules written before it)
    always win, or its nodes are never reached."""
    from trainer.persona.reactions import reaction_id, select
    from trainer.vocab import ACTS, CONTROLLING_CATEGORIES, PHASES

    rules = ctx.persona.reactions
    if not rules:
        return []
    reached = ctx.flow.reachable()
    nodes = [n.id for n in ctx.persona.nodes if n.id in reached]
    used: set[int] = set()
    category_sets = [()] + [(c,) for c in sorted({c for r in rules for c in r.categories} | set(CONTROLLING_CATEGORIES))]
    for node in nodes:
        for phase in PHASES:
            for act in ACTS:
                for cats in category_sets:
                    k = select(ctx.persona, node, phase, act, cats)
                    if k is not None:
                        used.add(k)
    return [ctx.warn(_reaction_path(ctx, i), "KM113",
                     _m("reaction_never_used", id=reaction_id(ctx.persona, i),
                        far="" if any(n in reached for n in r.nodes) or not r.nodes
                        else _m("reaction_nodes_unreached")))
            for i, r in enumerate(rules) if i not in used]


def repeated_reaction_lines(ctx: Context) -> list[Diagnostic]:
    """KM114: a reaction line written twice (the copy is never said), or a reaction with one line only (the
    persona says exactly the same thing every time)."""
    from trainer.persona.reactions import reaction_id

    out = []
    first: dict[str, str] = {}
    for i, rule in enumerate(ctx.persona.reactions):
        rid = reaction_id(ctx.persona, i)
        for k, line in enumerate(rule.say):
            key = " ".join(line.split()).lower()
            if key in first:
                out.append(ctx.warn(("reactions", i, "say", k), "KM114",
                                    _m("reaction_line_twice", id=first[key])))
            else:
                first[key] = rid
        if len(rule.say) == 1:
            out.append(ctx.warn(("reactions", i, "say"), "KM114",
                                _m("reaction_one_line", id=rid)))
    return out


def acts_without_reaction(ctx: Context) -> list[Diagnostic]:
    """KM115 (info): with reactions written, a common act that gets no reaction in some phase at some reachable
    node: a trainee who types such a line there only hears the fallback."""
    from trainer.persona.reactions import select
    from trainer.vocab import PHASES

    if not ctx.persona.reactions:
        return []
    reached = ctx.flow.reachable()
    nodes = [n.id for n in ctx.persona.nodes if n.id in reached]
    out = []
    for act in COMMON_ACTS:
        missing = [ph for ph in PHASES if any(select(ctx.persona, n, ph, act) is None for n in nodes)]
        if missing:
            out.append(ctx.warn(("reactions",), "KM115",
                                _m("reaction_missing_act", act=act, phases=", ".join(missing)), severity=INFO))
    return out


def reactions_moving_everywhere(ctx: Context) -> list[Diagnostic]:
    """KM116: a reaction with `next` but without `nodes:` moves the conversation to the same place from every
    node, also from nodes far past it (a way back, or an early ending); usually it was meant for one node."""
    from trainer.persona.reactions import reaction_id

    return [ctx.warn(("reactions", i, "next"), "KM116",
                     _m("reaction_next_everywhere", id=reaction_id(ctx.persona, i), next=r.next))
            for i, r in enumerate(ctx.persona.reactions) if r.next and not r.nodes]


CHECKS = (never_open_choices, unreachable_nodes, traps, unreached_endings, cues_not_picked_up, cues_not_offered,
          controlling_untagged, choices_without_examples, nodes_without_open_choice, variants_never_shown,
          shared_nodes, unused_reactions, repeated_reaction_lines, acts_without_reaction, reactions_moving_everywhere)


def lint(persona: Persona, src: Source, analyse: Callable | None = None) -> list[Diagnostic]:
    """All lint diagnostics of a valid persona, sorted by position. `src` gives the positions."""
    ctx = Context(persona, src, analyse)
    with gc_paused():  # many small objects, no cycles: see yamlsrc.gc_paused
        return sorted((d for check in CHECKS for d in check(ctx)), key=_ORDER)


def lint_file(file: str, text: str | None = None, analyse: Callable | None = None) -> list[Diagnostic]:
    """Validate, then lint when the file is valid: the validation diagnostics followed by lint's."""
    from trainer.persona.loader import check_source

    with gc_paused():  # one pause for both passes: the collector then runs once, afterwards
        checked = check_source(file, text)
        if checked.persona is None:
            return checked.diagnostics
        return sorted(checked.diagnostics + lint(checked.persona, checked.source, analyse), key=_ORDER)
