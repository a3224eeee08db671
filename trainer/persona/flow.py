"""The conversation graph of a persona: from each node, where its choices lead.

Static: conditions are ignored, except that the linter can leave out choices it proved are never open.
Everything is iterative (no recursion), linear in the number of choices, so a 5,000-node persona takes
milliseconds. Used by the linter (reachability, loops without a way out, what can come before what) and by
`trainer graph`.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from trainer.persona.model import Persona


def choice_id(node_id: str, index: int, explicit: str | None) -> str:
    """The id of a choice as the engine and test plans know it: its own id or "<node>.<n>" (1-based)."""
    return explicit or f"{node_id}.{index + 1}"


@dataclass(frozen=True)
class Edge:
    source: str  # node id
    index: int  # 0-based position of the choice in the node
    choice: str  # choice id
    target: str  # node or ending id


class Flow:
    def __init__(self, persona: Persona, skip: frozenset[str] | set[str] = frozenset()):
        """`skip`: ids of choices to leave out (e.g. those that can never be open)."""
        self.start = persona.start
        self.nodes = [n.id for n in persona.nodes]
        self.endings = [e.id for e in persona.endings]
        self.edges: dict[str, list[Edge]] = {n: [] for n in self.nodes}
        for node in persona.nodes:
            for i, choice in enumerate(node.choices):
                cid = choice_id(node.id, i, choice.id)
                if cid not in skip:
                    self.edges[node.id].append(Edge(node.id, i, cid, choice.next))
        self._reachable: set[str] | None = None
        self._components: list[list[str]] | None = None

    def successors(self, node: str) -> list[str]:
        return [e.target for e in self.edges.get(node, ())]

    def reachable(self) -> set[str]:
        """Nodes and endings that some path from the start reaches (the start included)."""
        if self._reachable is None:
            seen = {self.start}
            todo = deque([self.start])
            while todo:
                for target in self.successors(todo.popleft()):
                    if target not in seen:
                        seen.add(target)
                        todo.append(target)
            self._reachable = seen
        return self._reachable

    def can_finish(self) -> set[str]:
        """Nodes from which some path reaches an ending (endings included)."""
        back: dict[str, list[str]] = {}
        for node, edges in self.edges.items():
            for e in edges:
                back.setdefault(e.target, []).append(node)
        done = set(self.endings)
        todo = deque(self.endings)
        while todo:
            for node in back.get(todo.popleft(), ()):
                if node not in done:
                    done.add(node)
                    todo.append(node)
        return done

    def components(self) -> list[list[str]]:
        """Strongly connected sets of nodes (Tarjan, iterative), each in file order; sinks come first."""
        if self._components is None:
            self._components = self._tarjan()
        return self._components

    def _tarjan(self) -> list[list[str]]:
        index: dict[str, int] = {}
        low: dict[str, int] = {}
        on_stack: set[str] = set()
        stack: list[str] = []
        out: list[list[str]] = []
        order = {n: i for i, n in enumerate(self.nodes)}
        for root in self.nodes:
            if root in index:
                continue
            work = [(root, iter(self.successors(root)))]
            index[root] = low[root] = len(index)
            stack.append(root)
            on_stack.add(root)
            while work:
                node, it = work[-1]
                advanced = False
                for target in it:
                    if target not in self.edges:
                        continue  # an ending
                    if target not in index:
                        index[target] = low[target] = len(index)
                        stack.append(target)
                        on_stack.add(target)
                        work.append((target, iter(self.successors(target))))
                        advanced = True
                        break
                    if target in on_stack:
                        low[node] = min(low[node], index[target])
                if advanced:
                    continue
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    members = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        members.append(member)
                        if member == node:
                            break
                    out.append(sorted(members, key=order.__getitem__))
        return out

    def is_loop(self, component: list[str]) -> bool:
        """A component is a loop when it has more than one node, or one node with a choice back to itself."""
        return len(component) > 1 or component[0] in self.successors(component[0])

    def descendants(self) -> dict[str, int]:
        """For each node, a bit set (bit i = self.nodes[i]) of the nodes reachable from it, itself included.

        Computed once per strongly connected set, in the order Tarjan emits them (successors first), so this
        is one OR of big integers per choice.
        """
        bit = {n: 1 << i for i, n in enumerate(self.nodes)}
        result: dict[str, int] = {}
        for component in self.components():
            members = set(component)
            bits = 0
            for node in component:
                bits |= bit[node]
                for target in self.successors(node):
                    if target in bit and target not in members:
                        bits |= result[target]
            for node in component:
                result[node] = bits
        return result
