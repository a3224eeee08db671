"""Path explorer: every reachable state of a persona (node x phase x meters x what conditions read).

States are deduplicated on exactly what can change behaviour: node, phase, meters, and only those visited
nodes / picked-up cues / offered cues / turn counts that some condition mentions. That keeps the search finite
on personas with loops. The report answers a trainer's questions: which endings can be reached and with which
meters, what is never reached, where a conversation can get stuck, and how short or long each outcome can be.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field, replace

from trainer.engine.session import CompiledPersona, Session, SessionError, State
from trainer.persona.conditions import parse

MAX_STATES = 400_000


@dataclass
class EndingReport:
    ending: str
    outcome: str
    states: int = 0
    trust: list[int] = field(default_factory=lambda: [101, -1])  # [min, max]
    motivation: list[int] = field(default_factory=lambda: [101, -1])
    shortest: int | None = None
    longest: int | None = None  # None with unbounded=True when a loop can make it arbitrarily long
    unbounded: bool = False
    example: list[str] = field(default_factory=list)  # choice ids of one shortest path


@dataclass
class ExploreReport:
    persona: str
    states: int
    transitions: int
    truncated: bool
    endings: dict[str, EndingReport]
    unreached_endings: list[str]
    unreached_nodes: list[str]
    untaken_choices: list[str]
    stuck_states: int  # states from which no ending can be reached
    stuck_example: list[str]  # a path into such a state
    stuck_nodes: list[str]
    outcomes: dict[str, dict]  # outcome -> shortest/longest/unbounded over its endings
    seconds: float = 0.0

    def to_dict(self) -> dict:
        from dataclasses import asdict

        return asdict(self)


def _relevant(compiled: CompiledPersona) -> tuple[set, set, set, int | None]:
    sources = [c.when for n in compiled.persona.nodes for c in n.choices if c.when]
    sources += list(compiled.persona.phases.values())
    from trainer.vocab import DEFAULT_PHASE_RULES

    sources += list(DEFAULT_PHASE_RULES.values())
    if compiled.persona.break_off:
        sources.append(compiled.persona.break_off.when)
    visited, picked, offered, turns_cap = set(), set(), set(), None
    for src in sources:
        parsed = parse(src)
        for fn, arg, _ in parsed.refs:
            {"visited": visited, "picked_up": picked, "offered": offered}[fn].add(arg)
        for var, _op, value, _ in parsed.compares:
            if var == "turns":
                turns_cap = max(turns_cap or 0, int(value) + 1)
    return visited, picked, offered, turns_cap


def explore(persona, analyser=None, max_states: int = MAX_STATES) -> ExploreReport:
    import time

    t0 = time.perf_counter()
    compiled = persona if isinstance(persona, CompiledPersona) else CompiledPersona(persona)
    session = Session(compiled, analyser=analyser)
    rel_v, rel_p, rel_o, cap = _relevant(compiled)

    def key(s: State) -> tuple:
        turns = min(s.turns, cap) if cap is not None else 0
        return (s.node, s.phase, s.trust, s.motivation, s.ending, s.visited & rel_v, s.picked_up & rel_p,
                s.offered & rel_o, turns)

    def normalise(s: State) -> State:
        # keep only what matters, so equal keys mean equal representative states
        turns = min(s.turns, cap) if cap is not None else 0
        return replace(s, visited=s.visited & rel_v, picked_up=s.picked_up & rel_p,
                       offered=s.offered & rel_o, turns=turns)

    start = normalise(session.state)
    index: dict[tuple, int] = {key(start): 0}
    states: list[State] = [start]
    parent: list[tuple[int, str] | None] = [None]
    edges: list[list[int]] = [[]]
    depth = [0]
    reached_nodes = {start.node}
    taken: set[str] = set()
    n_transitions = 0
    truncated = False
    queue = deque([0])
    while queue:
        i = queue.popleft()
        state = states[i]
        if state.ending is not None:
            continue
        session.restore(state)
        for option in session.open_choices():
            session.restore(state)
            try:
                session.choose(option.id)
            except SessionError:
                continue
            n_transitions += 1
            taken.add(option.id)
            nxt = normalise(session.state)
            k = key(nxt)
            j = index.get(k)
            if j is None:
                if len(states) >= max_states:
                    truncated = True
                    continue
                j = len(states)
                index[k] = j
                states.append(nxt)
                parent.append((i, option.id))
                edges.append([])
                depth.append(depth[i] + 1)
                reached_nodes.add(nxt.node)
                queue.append(j)
            edges[i].append(j)

    # which states can still reach an ending (reverse reachability)
    reverse: list[list[int]] = [[] for _ in states]
    for i, outs in enumerate(edges):
        for j in outs:
            reverse[j].append(i)
    can_end = [False] * len(states)
    todo = deque(i for i, s in enumerate(states) if s.ending is not None)
    for i in todo:
        can_end[i] = True
    while todo:
        j = todo.popleft()
        for i in reverse[j]:
            if not can_end[i]:
                can_end[i] = True
                todo.append(i)

    def path_to(i: int) -> list[str]:
        out: list[str] = []
        while parent[i] is not None:
            i, cid = parent[i]
            out.append(cid)
        return out[::-1]

    endings: dict[str, EndingReport] = {}
    for i, s in enumerate(states):
        if s.ending is None:
            continue
        rep = endings.get(s.ending)
        if rep is None:
            rep = endings[s.ending] = EndingReport(s.ending, compiled.endings[s.ending].outcome)
        rep.states += 1
        rep.trust = [min(rep.trust[0], s.trust), max(rep.trust[1], s.trust)]
        rep.motivation = [min(rep.motivation[0], s.motivation), max(rep.motivation[1], s.motivation)]
        if rep.shortest is None or depth[i] < rep.shortest:
            rep.shortest = depth[i]
            rep.example = path_to(i)
    for rep in endings.values():
        rep.longest, rep.unbounded = _longest(states, edges, lambda s, e=rep.ending: s.ending == e)

    outcomes: dict[str, dict] = {}
    for rep in endings.values():
        o = outcomes.setdefault(rep.outcome, {"endings": [], "shortest": None, "longest": 0, "unbounded": False})
        o["endings"].append(rep.ending)
        o["shortest"] = rep.shortest if o["shortest"] is None else min(o["shortest"], rep.shortest)
        o["unbounded"] = o["unbounded"] or rep.unbounded
        o["longest"] = max(o["longest"], rep.longest or 0)

    stuck = [i for i, ok in enumerate(can_end) if not ok]
    all_choices = [cid for cid in compiled.choices]
    return ExploreReport(
        persona=compiled.persona.id, states=len(states), transitions=n_transitions, truncated=truncated,
        endings=endings,
        unreached_endings=[e for e in compiled.endings if e not in endings],
        unreached_nodes=[n for n in compiled.nodes if n not in reached_nodes],
        untaken_choices=[c for c in all_choices if c not in taken],
        stuck_states=len(stuck), stuck_example=path_to(stuck[0]) if stuck else [],
        stuck_nodes=sorted({states[i].node for i in stuck}),
        outcomes=outcomes, seconds=round(time.perf_counter() - t0, 4),
    )


def _longest(states, edges, is_target) -> tuple[int | None, bool]:
    """Longest path (in turns) from the start to a target state; unbounded if a loop can precede it."""
    n = len(states)
    # states that can reach a target
    reverse: list[list[int]] = [[] for _ in range(n)]
    for i, outs in enumerate(edges):
        for j in outs:
            reverse[j].append(i)
    useful = [False] * n
    todo = deque(i for i in range(n) if is_target(states[i]))
    for i in todo:
        useful[i] = True
    while todo:
        j = todo.popleft()
        for i in reverse[j]:
            if not useful[i]:
                useful[i] = True
                todo.append(i)
    if not useful[0]:
        return None, False
    # Kahn's algorithm on the useful subgraph; leftover nodes mean a cycle
    indeg = [0] * n
    for i in range(n):
        if useful[i]:
            for j in edges[i]:
                if useful[j]:
                    indeg[j] += 1
    order = deque(i for i in range(n) if useful[i] and indeg[i] == 0)
    best = [-1] * n
    best[0] = 0
    seen = 0
    while order:
        i = order.popleft()
        seen += 1
        for j in edges[i]:
            if not useful[j]:
                continue
            if best[i] >= 0:
                best[j] = max(best[j], best[i] + 1)
            indeg[j] -= 1
            if indeg[j] == 0:
                order.append(j)
    if seen < sum(useful):
        return None, True
    longest = max((best[i] for i in range(n) if useful[i] and is_target(states[i])), default=None)
    return longest, False
