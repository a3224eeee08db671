"""Path explorer: every reachable state of a persona, exactly, in well under a second.

A state is (key, cell): the key is the node plus what conditions can read besides the meters (visited,
picked_up, offered, turns; only the refs a condition further on can still read), the cell is trust * 101 +
motivation. Conditions, phases and break_off become cell masks per key (10,201-bit integers, built once per
key); a choice's meter change is authored effects + the persona's sensitivities to what the analyser finds in
the choice text, clamped at 0 and 100 like the engine.

1. Forward (_forward): breadth-first, layer k = the states first reached in exactly k turns. A layer is a pair
   of numpy arrays (key number, cell), and one table lookup per (state, choice) does what the engine does for a
   turn: per distinct (condition mask, meter change, break_off mask, ending) a table of 10,201 entries holds the
   cell after the move, "closed" or "ends". That is a few numpy passes per layer over ~6 million (state,
   choice) pairs for Ingrid, instead of a big-integer set per key and layer (the old search, kept as the
   reference in tests/explore_reference.py). Orders that reports and example paths depend on (keys, choices,
   endings) are those of that plain search: each pair carries its rank (key position in the layer, choice).
2. Backward: with the cell sets per key, the states from which no ending can be reached (worklist to a
   fixpoint over preimages of the moves).
3. The shortest number of turns to every ending (the first layer that reaches it), one example path per ending
   (walked back through the layers), the longest (unbounded when a loop can come before it).
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Sequence
from functools import lru_cache
from typing import NamedTuple
from dataclasses import asdict, dataclass, field

from trainer.engine.session import CompiledPersona, State
from trainer.persona.conditions import parse
from trainer.persona.flow import Flow
from trainer.vocab import DEFAULT_PHASE_RULES, PHASE_ORDER

W = 101  # meter values 0..100
FULL = (1 << (W * W)) - 1
ROW = (1 << W) - 1  # one trust row (all motivation values)
COL0 = sum(1 << (t * W) for t in range(W))  # motivation 0 in every row
MAX_LAYERS = 500  # turns deep; slowly drifting loops can add new meter values for hundreds of turns
MAX_KEYS = 250_000  # (node, refs) pairs summed over the layers: bounds memory (a bitset is ~1.3 kB) on huge personas


@lru_cache(maxsize=None)
def _rows_from(v: int) -> int:
    v = max(0, min(W, v))
    return FULL & ~((1 << (v * W)) - 1)


@lru_cache(maxsize=None)
def _cols_from(v: int) -> int:
    v = max(0, min(W, v))
    return (ROW & ~((1 << v) - 1)) * COL0


def _cmp_mask(var: str, op: str, value: int) -> int:
    ge = _rows_from if var == "trust" else _cols_from
    if op == ">=":
        return ge(value)
    if op == ">":
        return ge(value + 1)
    if op == "<":
        return FULL & ~ge(value)
    if op == "<=":
        return FULL & ~ge(value + 1)
    eq = ge(value) & ~ge(value + 1)
    return eq if op == "==" else FULL & ~eq


@lru_cache(maxsize=None)
def _meters_cmp(op: str, a: str, b: str) -> int:
    """Cells where meter a OP meter b (e.g. trust > motivation): built once, not per key like _grid."""
    bits = 0
    for t in range(W):
        for m in range(W):
            if _py_cmp(op, t if a == "trust" else m, t if b == "trust" else m):
                bits |= 1 << (t * W + m)
    return bits


_FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}


@lru_cache(maxsize=None)
def _low_rows(n: int) -> int:
    return (1 << (n * W)) - 1


@lru_cache(maxsize=None)
def _low_cols(n: int) -> int:
    return ((1 << n) - 1) * COL0


def _fold_rows(x: int, n: int) -> int:
    """OR the n rows of x (rows 0..n-1) into row 0, in log2(n) steps."""
    while n > 1:
        h = n // 2
        keep = n - h
        x = (x & _low_rows(keep)) | (x >> (keep * W))
        n = keep
    return x


def _fold_cols(x: int, n: int) -> int:
    """OR the columns 0..n-1 of every row into column 0, in log2(n) steps."""
    while n > 1:
        h = n // 2
        keep = n - h
        x = (x & _low_cols(keep)) | ((x >> keep) & _low_cols(h))
        n = keep
    return x


def shift(cells: int, dt: int, dm: int) -> int:
    """Move every cell by (dt, dm), clamping at 0 and 100 like the engine."""
    if dt > 0:
        d = min(dt, W)
        over = _fold_rows(cells >> ((W - d) * W), d)  # rows that go past 100 all land on 100
        cells = ((cells << (dt * W)) & FULL) | (over << ((W - 1) * W))
    elif dt < 0:
        d = min(-dt, W)
        under = _fold_rows(cells & _low_rows(d), d)  # rows that go below 0 all land on 0
        cells = (cells >> (-dt * W)) | under
    if dm > 0:
        d = min(dm, W)
        over = _fold_cols((cells >> (W - d)) & _low_cols(d), d)
        cells = ((cells & ~_cols_from(W - d)) << dm) & FULL & ~_low_cols(min(dm, W)) | (over << (W - 1))
    elif dm < 0:
        d = min(-dm, W)
        under = _fold_cols(cells & _low_cols(d), d)
        cells = ((cells & _cols_from(d)) >> d) | under
    return cells & FULL


def preimage(cells: int, dt: int, dm: int) -> int:
    """All cells that `shift(., dt, dm)` maps into `cells`."""
    # the cells clamped onto an edge come from a band of columns (rows) past it: the edge copied into each of
    # them at once, as a product (the copies do not overlap, so the product is their OR)
    if dm > 0:
        edge = (cells >> (W - 1)) & COL0
        out = (cells >> dm) & ~_cols_from(W - dm) & FULL
        lo = max(0, W - dm)
        cells = out | edge * (((1 << (W - lo)) - 1) << lo)
    elif dm < 0:
        k = -dm
        edge = cells & COL0
        out = (cells << k) & _cols_from(k)
        cells = out | edge * ((1 << min(k, W)) - 1)
    if dt > 0:
        edge = (cells >> ((W - 1) * W)) & ROW
        out = cells >> (dt * W)
        lo = max(0, W - dt)
        cells = out | edge * (COL0 & _rows_from(lo))
    elif dt < 0:
        k = -dt
        edge = cells & ROW
        out = (cells << (k * W)) & FULL
        cells = out | edge * (COL0 & _low_rows(min(k, W)))
    return cells & FULL


def _cells(bits: int):
    while bits:
        low = bits & -bits
        i = low.bit_length() - 1
        yield divmod(i, W)
        bits ^= low


def _range(bits: int, axis: str) -> list[int]:
    if not bits:
        return [0, 0]
    if axis == "trust":
        rows = [t for t in range(W) if (bits >> (t * W)) & ROW]
        return [rows[0], rows[-1]]
    cols = [m for m in range(W) if bits & (COL0 << m)]
    return [cols[0], cols[-1]]


# -- the discrete part of a state: node + the refs that conditions read ---------------------------------------

class Key(NamedTuple):  # a NamedTuple: hashed in C, and the explorer hashes keys millions of times
    node: str
    visited: frozenset
    picked: frozenset
    offered: frozenset
    turns: int


@dataclass
class EndingReport:
    ending: str
    outcome: str
    states: int = 0
    trust: list[int] = field(default_factory=lambda: [0, 0])
    motivation: list[int] = field(default_factory=lambda: [0, 0])
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
    stuck_states: int
    stuck_example: list[str]
    stuck_nodes: list[str]
    no_open_choice_nodes: list[str]  # nodes where, in some reachable state, no choice condition holds
    outcomes: dict[str, dict]
    seconds: float = 0.0
    # free text (persona `reactions:`): rules no reachable (node, phase) ever uses, and reachable (node, phase)
    # pairs where a common act gets only the fallback ("node/phase: act, act")
    unused_reactions: list[str] = field(default_factory=list)
    reaction_gaps: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


class _Model:
    """Masks and moves of one persona, cached per discrete key."""

    def __init__(self, compiled: CompiledPersona, analyser):
        self.c = compiled
        p = compiled.persona
        sources = [ch.when for n in p.nodes for ch in n.choices if ch.when]
        rules = {**DEFAULT_PHASE_RULES, **p.phases}
        sources += [rules[ph] for ph in PHASE_ORDER]
        if p.break_off:
            sources.append(p.break_off.when)
        self.rel_v, self.rel_p, self.rel_o, cap = set(), set(), set(), None
        for src in sources:
            parsed = parse(src)
            for fn, arg, _ in parsed.refs:
                {"visited": self.rel_v, "picked_up": self.rel_p, "offered": self.rel_o}[fn].add(arg)
            for var, _op, value, _ in parsed.compares:
                if var == "turns":
                    cap = max(cap or 0, int(value) + 1)
        self.turns_cap = cap
        self.live = self._live_refs(p, rules)
        self.phase_trees = [(ph, parse(rules[ph]).tree) for ph in PHASE_ORDER]
        self.break_tree = parse(p.break_off.when).tree if p.break_off else None
        self.choice_trees = {}
        self.moves = {}  # choice id -> (dt, dm)
        analyse = analyser or (lambda text: _NoCats)
        for n in p.nodes:
            for i, ch in enumerate(n.choices):
                cid = ch.id or f"{n.id}.{i + 1}"
                self.choice_trees[cid] = parse(ch.when).tree if ch.when else None
                fx = [ch.effects] + compiled.sensitivity_effects(compiled.detect(analyse, ch.text))
                self.moves[cid] = (sum(e.trust for e in fx), sum(e.motivation for e in fx))
        self._phase_cache: dict = {}
        self._mask_cache: dict = {}
        self._break_cache: dict = {}
        # what the masks can read: the phase rules and break_off the global refs, a node's choices its own too;
        # keys that differ only in other refs (read further on) share their masks
        glob = _refs_of([rules[ph] for ph in PHASE_ORDER] + ([p.break_off.when] if p.break_off else []))
        self.read_global = tuple(frozenset(x) for x in glob)
        self.read_at = {n.id: tuple(frozenset(g | o) for g, o in zip(glob, _refs_of([c.when for c in n.choices
                                                                                      if c.when])))
                        for n in p.nodes}
        self._shared: dict = {}
        self._break_shared: dict = {}

    @staticmethod
    def _live_refs(p, rules) -> dict[str, tuple[frozenset, frozenset, frozenset]]:
        """Per node, the visited/picked_up/offered refs that a condition can still read from there on: those of
        the conditions at this node and every node reachable from it, plus the global ones (phase rules,
        break_off). A ref that no reachable condition reads is dropped from the state, which keeps personas with
        many visited() checks from multiplying their states."""
        refs_of = _refs_of
        glob = refs_of([rules[ph] for ph in PHASE_ORDER] + ([p.break_off.when] if p.break_off else []))
        own = {n.id: refs_of([c.when for c in n.choices if c.when]) for n in p.nodes}
        flow = Flow(p)
        comp: dict[str, int] = {}
        live_c: list[tuple[set, set, set]] = []
        for members in flow.components():  # strongly connected sets, successors first
            acc = (set(glob[0]), set(glob[1]), set(glob[2]))
            for m in members:
                comp[m] = len(live_c)
            for m in members:
                for i in range(3):
                    acc[i].update(own[m][i])
                for nxt in flow.successors(m):
                    c = comp.get(nxt)
                    if nxt in own and c != len(live_c):
                        for i in range(3):
                            acc[i].update(live_c[c][i])
            live_c.append(acc)
        return {n: tuple(frozenset(x) for x in live_c[comp[n]]) for n in own}

    def key(self, s: State) -> Key:
        turns = min(s.turns, self.turns_cap) if self.turns_cap is not None else 0
        lv, lp, lo = self.live[s.node]
        return Key(s.node, s.visited & lv, s.picked_up & lp, s.offered & lo, turns)

    def after(self, k: Key, cid: str, nxt: str) -> Key:
        """The key after playing choice `cid` from `k` (mirrors the refs update in Session._advance)."""
        node = self.c.nodes.get(nxt)
        picks = set(self.c.choices[cid][0].choices[self.c.choices[cid][1]].picks_up)
        turns = min(k.turns + 1, self.turns_cap) if self.turns_cap is not None else 0
        if node is None:  # an ending: only the global refs matter (break_off, phase rules)
            return Key(k.node, k.visited, k.picked | (picks & self.rel_p), k.offered, turns)
        lv, lp, lo = self.live[nxt]
        return Key(nxt, (k.visited | {nxt}) & lv, (k.picked | picks) & lp, (k.offered | set(node.offers)) & lo, turns)

    def _mask(self, tree, k: Key, phases: dict | None) -> int:
        kind = tree[0]
        if kind == "bool":
            return FULL if tree[1] else 0
        if kind == "call":
            fn, arg = tree[1], tree[2]
            ref = {"visited": k.visited, "picked_up": k.picked, "offered": k.offered}[fn]
            return FULL if arg in ref else 0
        if kind == "not":
            return FULL & ~self._mask(tree[1], k, phases)
        if kind == "and":
            return self._mask(tree[1], k, phases) & self._mask(tree[2], k, phases)
        if kind == "or":
            return self._mask(tree[1], k, phases) | self._mask(tree[2], k, phases)
        if kind == "cmp":
            op, a, b = tree[1], tree[2], tree[3]
            if a[0] != "var" and b[0] == "var":
                a, b, op = b, a, _FLIP[op]
            if a[0] == "var" and b[0] == "var" and {a[1], b[1]} <= {"trust", "motivation"}:
                return _meters_cmp(op, a[1], b[1])
            if a[0] == "var" and b[0] in ("num", "str"):
                var, value = a[1], b[1]
                if var in ("trust", "motivation"):
                    return _cmp_mask(var, op, value)
                if var == "turns":
                    return FULL if _py_cmp(op, k.turns, value) else 0
                if var == "phase":
                    if phases is None:
                        raise ValueError("phase rules cannot depend on the phase")
                    m = phases.get(value, 0)
                    return m if op == "==" else FULL & ~m
            return self._grid(tree, k, phases)
        if kind == "var":  # a bare variable used as a truth value
            return self._grid(tree, k, phases)
        return FULL if tree[1] else 0

    def _grid(self, tree, k: Key, phases) -> int:
        """Cell by cell, for shapes the masks do not cover (e.g. trust > motivation)."""
        from trainer.persona.conditions import _compile

        fn = _compile(tree)
        bits = 0
        for t in range(W):
            for m in range(W):
                i = t * W + m
                phase = next((ph for ph, mask in (phases or {}).items() if mask >> i & 1), "wantrouwend")
                s = State(k.node, t, m, phase, k.turns, k.visited, k.offered, k.picked)
                if fn(s):
                    bits |= 1 << i
        return bits

    def _seen_by(self, k: Key, refs: tuple) -> tuple:
        return k.visited & refs[0], k.picked & refs[1], k.offered & refs[2], k.turns

    def phases(self, k: Key) -> dict[str, int]:
        ck = self._seen_by(k, self.read_global)  # phase rules read only the global refs
        got = self._phase_cache.get(ck)
        if got is None:
            got, left = {}, FULL
            for ph, tree in self.phase_trees:
                m = self._mask(tree, k, None) & left
                got[ph] = m
                left &= ~m
            self._phase_cache[ck] = got
        return got

    def choice_masks(self, k: Key) -> list[tuple[str, int]]:
        got = self._mask_cache.get(k)
        if got is None:
            shared = (k.node, *self._seen_by(k, self.read_at[k.node]))
            got = self._mask_cache[k] = self._shared.get(shared) or self._choice_masks(k, shared)
        return got

    def _choice_masks(self, k: Key, shared: tuple) -> list[tuple[str, int]]:
        node = self.c.nodes[k.node]
        phases = self.phases(k)
        got = []
        for i, ch in enumerate(node.choices):
            cid = ch.id or f"{node.id}.{i + 1}"
            tree = self.choice_trees[cid]
            got.append((cid, FULL if tree is None else self._mask(tree, k, phases)))
        none_open = FULL
        for _cid, m in got:
            none_open &= ~m
        # the engine opens every choice when none is open (safety net); mirror it
        got = self._shared[shared] = [(cid, m | none_open) for cid, m in got] + [("", none_open)]
        return got

    def break_mask(self, k: Key) -> int:
        if self.break_tree is None:
            return 0
        got = self._break_cache.get(k)
        if got is None:
            shared = self._seen_by(k, self.read_global)  # break_off reads only the global refs
            got = self._break_shared.get(shared)
            if got is None:
                got = self._break_shared[shared] = self._mask(self.break_tree, k, self.phases(k))
            self._break_cache[k] = got
        return got


def _refs_of(sources) -> tuple[set, set, set]:
    """The visited/picked_up/offered refs the conditions `sources` read."""
    v, pk, o = set(), set(), set()
    for src in sources:
        for fn, arg, _ in parse(src).refs:
            {"visited": v, "picked_up": pk, "offered": o}[fn].add(arg)
    return v, pk, o


class _NoCats:
    categories = ()


def _py_cmp(op, a, b) -> bool:
    return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b, "==": a == b, "!=": a != b}[op]


class Forward(NamedTuple):
    """What the forward search found. Orders are those of a plain search that takes the keys of a layer in
    order and their choices in order: the reports and example paths depend on them."""
    reach: dict  # key -> cells, keys in the order first reached
    layers: Sequence[dict]  # layers[k]: key -> cells first reached in exactly k turns
    end_bits: dict  # ending -> cells, endings in the order first reached
    first_hit: dict  # ending -> fewest turns
    taken: dict  # key -> {choice: None}, the choices played from it, in the order first played
    no_open: set  # nodes where, in some state, no choice condition holds
    transitions: int
    truncated: bool


CELLS = W * W
ROWBYTES = 1280  # a cell set as bytes (10,201 bits, rounded up to whole 64-bit words)
STRIDE = ROWBYTES * 8
OUT, NOPE = CELLS, CELLS + 1  # move table values past the last cell: the move ends, the choice is closed


class _Grow:
    """A numpy array that grows along its first axis (doubling), for rows added one at a time."""

    def __init__(self, np, tail: tuple, dtype):
        self.np, self.a, self.n = np, np.zeros((64, *tail), dtype), 0

    def append(self, row) -> int:
        if self.n == len(self.a):
            self.a = self.np.concatenate([self.a, self.np.zeros_like(self.a)])
        self.a[self.n] = row
        self.n += 1
        return self.n - 1


class _Layers(Sequence):
    """The layers as {key: cell set}, built from the search's arrays only when asked for (example paths
    read the first few)."""

    def __init__(self, np, keys: list, data: list):
        self.np, self.keys, self.data, self.done = np, keys, data, {}

    def __len__(self) -> int:
        return len(self.data)

    def __getitem__(self, i: int) -> dict:
        i = range(len(self.data))[i]
        got = self.done.get(i)
        if got is None:
            np = self.np
            order, lk, lc, _lp = self.data[i]
            got = self.done[i] = {}
            for k, cells in zip(order, np.split(lc, np.flatnonzero(np.diff(lk)) + 1)):
                row = np.zeros(CELLS, bool)
                row[cells] = True
                got[self.keys[k]] = int.from_bytes(np.packbits(row, bitorder="little").tobytes(), "little")
        return got


def _unique(np, a):
    """Sorted distinct values (np.unique, without its slower hashing path for integers)."""
    a = np.sort(a)
    return a[np.diff(a, prepend=a[:1] - 1) != 0] if len(a) else a


def _forward(model: _Model, successors, start_key: Key, start_cell: int, brk_end: str | None, max_layers: int,
             max_keys: int) -> Forward:
    """Breadth-first search over states (key, cell), one layer per turn, with numpy on whole layers.

    A layer is two arrays: the key number and the cell (trust * 101 + motivation) of every state first reached
    in that many turns, grouped by key. What a plain search does state by state is one table lookup per (state,
    choice) here: per distinct (condition mask, meter change, break_off mask of the next key, ending) a table
    gives for every cell the cell after the move (clamped like the engine), NOPE when the condition does not
    hold, or OUT when the move ends the conversation (a second table says which ending, break_off first).
    States not seen before (one bit per state in `seen`; the NOPE and OUT bits are always set) make the next
    layer. The plain search's orders (keys, choices, endings: reports and example paths depend on them)
    follow from a rank per (state, choice): the key's position in its layer, then the choice's position."""
    import numpy as np

    keys: list[Key] = []
    kid: dict[Key, int] = {}
    meta = _Grow(np, (3,), np.int64)  # per key: first edge, number of edges (-1: not expanded), no-open mask row
    seen = _Grow(np, (ROWBYTES,), np.uint8)  # per key: its cells seen so far, one bit each
    edges = _Grow(np, (3,), np.int64)  # per choice of a key: move table, next key, layer first played
    edge_cid: list[str] = []
    masks_seen: dict[int, int] = {}
    table = _Grow(np, (CELLS,), bool)  # the distinct cell masks, as boolean rows
    moves_seen: dict[tuple, int] = {}
    moves = _Grow(np, (CELLS,), np.int16)  # the distinct move tables (see above)
    exits = _Grow(np, (CELLS,), np.int32)  # for OUT: ending number * CELLS + the cell
    shifted: dict[tuple[int, int], object] = {}  # (dt, dm) -> the cell each cell moves to (clamped)
    ends = list(model.c.endings) + ([brk_end] if brk_end and brk_end not in model.c.endings else [])
    ended = {e: i for i, e in enumerate(ends)}
    t, m = np.divmod(np.arange(CELLS), W)
    rank_of = max(len(n.choices) for n in model.c.persona.nodes) + 1  # rank = key position * rank_of + choice
    bit = (1 << np.arange(8)).astype(np.uint8)
    blank = np.zeros(ROWBYTES, np.uint8)
    blank[OUT >> 3:] = 0xFF  # NOPE and OUT lie past the last cell: never new
    blank[OUT >> 3] = 0xFF << (OUT & 7) & 0xFF

    def key_id(k: Key) -> int:
        got = kid.get(k)
        if got is None:
            got = kid[k] = len(keys)
            keys.append(k)
            meta.append((0, -1, 0))
            seen.append(blank)
        return got

    def mask_row(bits: int) -> int:
        got = masks_seen.get(bits)
        if got is None:
            cells = np.unpackbits(np.frombuffer(bits.to_bytes(ROWBYTES, "little"), np.uint8), bitorder="little")
            got = masks_seen[bits] = table.append(cells[:CELLS].astype(bool))
        return got

    def move_row(mask: int, dt: int, dm: int, brk: int, ending: str | None) -> int:
        got = moves_seen.get((mask, dt, dm, brk, ending))
        if got is None:
            cell = shifted.get((dt, dm))
            if cell is None:
                cell = shifted[dt, dm] = np.clip(t + dt, 0, W - 1) * W + np.clip(m + dm, 0, W - 1)
            exit_ = np.full(CELLS, -1) if ending is None else cell + CELLS * ended[ending]
            if brk_end and brk != empty:
                hit = table.a[brk][cell]
                exit_[hit] = cell[hit] + CELLS * ended[brk_end]
            moves_seen[mask, dt, dm, brk, ending] = got = exits.append(exit_)
            move = cell.astype(np.int16)
            move[exit_ >= 0] = OUT
            move[~table.a[mask]] = NOPE
            moves.append(move)
        return got

    def expand(k: int) -> None:
        nonlocal closing
        key = keys[k]
        masks = dict(model.choice_masks(key))
        first = edges.n
        for cid, k2, ending in successors(key):
            row = move_row(mask_row(masks[cid]), *model.moves[cid], mask_row(model.break_mask(k2)), ending)
            edges.append((row, 0 if ending else key_id(k2), -1))  # an ending's moves are all OUT: key 0 will do
            edge_cid.append(cid)
        meta.a[k] = (first, edges.n - first, mask_row(masks[""]))
        closing = closing or masks[""] != 0

    brk = ended[brk_end] if brk_end else -1
    empty = mask_row(0)
    closing = False  # some key has states where no choice is open
    row = np.zeros(0, np.int64)
    key_id(start_key)
    seen.a[0, start_cell >> 3] |= 1 << (start_cell & 7)
    one = np.array([0])
    data = [(one, one, np.array([start_cell]), one)]  # per layer: key order, key of each state, cell, key position
    end_cells = np.zeros(len(ends) * CELLS, bool)  # per ending, the cells it is reached with
    first_hit: dict[str, int] = {}
    hit_order: list[int] = []
    no_open: set[str] = set()
    transitions, stored, truncated = 0, 1, False
    while len(data[-1][1]):
        if len(data) > max_layers or stored > max_keys:
            truncated = True
            break
        depth = len(data)
        order, lk, lc, lp = data[-1]
        for k in order[meta.a[order, 1] < 0].tolist():
            expand(k)
        K, E = meta.a, edges.a
        if closing:
            open_rows = K[lk, 2]
            some = open_rows != empty
            for k in _unique(np, lk[some][table.a[open_rows[some], lc[some]]]).tolist():
                no_open.add(keys[k].node)
        # int32 indices while they fit: half the memory traffic of int64 on the passes over all pairs
        it = np.int32 if (len(keys) + 1) * STRIDE < 1 << 31 and (moves.n + 1) * CELLS < 1 << 31 else np.int64
        if len(row) != edges.n or row.dtype != it:
            row, to = (E[:edges.n, 0] * CELLS).astype(it), (E[:edges.n, 1] * STRIDE).astype(it)
            M = moves.a.reshape(-1)  # flat: np.take on one index array is much faster than 2-d fancy indexing
            X = exits.a.reshape(-1)
        # every (state, choice) pair of the layer, in segments: one per (key position, choice), holding that
        # key's states of the layer in order. A segment has one edge (the choice's move table and next key) and
        # one rank (key position * rank_of + choice number), the order of the plain search
        nst = np.bincount(lp, minlength=len(order))  # states per key position
        nch = K[order, 1]  # choices per key position
        seg_p = np.repeat(np.arange(len(order)), nch)
        seg_c = np.arange(len(seg_p)) - np.repeat(np.cumsum(nch) - nch, nch)
        seg_edge = K[order, 0][seg_p] + seg_c
        seg_len = nst[seg_p]
        seg_start = np.cumsum(seg_len) - seg_len  # first pair of each segment
        n_pairs = int(seg_len.sum())
        state = np.arange(n_pairs, dtype=it) + np.repeat(((np.cumsum(nst) - nst)[seg_p] - seg_start).astype(it),
                                                         seg_len)
        at = np.repeat(np.take(row, seg_edge), seg_len) + np.take(lc, state)  # move table entry of each pair
        del state
        after = np.take(M, at)
        ok = after != NOPE
        transitions += int(np.count_nonzero(ok))
        if n_pairs:
            played = seg_edge[np.logical_or.reduceat(ok, seg_start)]
            E[played[E[played, 2] < 0], 2] = depth
        code = np.repeat(np.take(to, seg_edge), seg_len) + after
        flat = seen.a.reshape(-1)
        new = (np.take(flat, code >> 3) & np.take(bit, code & 7)) == 0
        produced = np.logical_or.reduceat(new, seg_start) if n_pairs else np.zeros(0, bool)  # per segment
        code = code[new]
        out = after == OUT
        if out.any():
            where = np.flatnonzero(out)
            oc = np.take(X, np.take(at, where))
            end_cells[oc] = True
            if len(hit_order) < len(ends):
                seg = np.searchsorted(seg_start, where, "right") - 1
                oe, orank = oc // CELLS, seg_p[seg] * rank_of + seg_c[seg]
                fresh = [(int(orank[oe == x].min()), x != brk, x)  # break_off before the choice's ending
                         for x in _unique(np, oe).tolist() if ends[x] not in first_hit]
                for *_r, x in sorted(fresh):
                    first_hit[ends[x]] = depth
                    hit_order.append(x)
        # the order a plain search would add the next keys in: by the first (key position, choice) that found one
        nexts = E[seg_edge[produced], 1]
        forder = np.array(list(dict.fromkeys(nexts.tolist())), np.int64)
        position = np.zeros(len(keys), it)
        position[forder] = np.arange(len(forder))
        k2 = code // STRIDE
        nxt = _unique(np, code + (np.take(position, k2) - k2) * STRIDE)  # grouped by key in that order, once
        lp = nxt // STRIDE
        lk = np.take(forder, lp).astype(it)
        lc = nxt - lp * STRIDE  # not %: a remainder pass costs more than a product
        code = lk * STRIDE + lc
        np.bitwise_or.at(flat, code >> 3, np.take(bit, code & 7))  # mark them seen
        stored += len(forder)
        data.append((forder, lk, lc, lp))

    def in_order(layers) -> list[int]:  # keys in the order the layers first name them
        firsts = np.concatenate([order for order, *_ in layers])
        _u, at = np.unique(firsts, return_index=True)
        return firsts[np.sort(at)].tolist()

    cells_only = np.zeros(ROWBYTES, np.uint8)
    cells_only[:OUT >> 3] = 0xFF
    cells_only[OUT >> 3] = (1 << (OUT & 7)) - 1
    reach = {keys[k]: int.from_bytes((seen.a[k] & cells_only).tobytes(), "little") for k in in_order(data)}
    taken: dict[Key, dict[str, None]] = {}
    for k in in_order(data[:-1] if truncated else data):  # the keys whose choices were played out
        first, n = int(meta.a[k, 0]), int(meta.a[k, 1])
        got = sorted((int(edges.a[x, 2]), x) for x in range(first, first + n) if edges.a[x, 2] >= 0)
        taken[keys[k]] = {edge_cid[x]: None for _layer, x in got}
    end_cells = end_cells.reshape(len(ends), CELLS)
    end_bits = {ends[x]: int.from_bytes(np.packbits(end_cells[x], bitorder="little").tobytes(), "little")
                for x in hit_order}
    return Forward(reach, _Layers(np, keys, data), end_bits, first_hit, taken, no_open, transitions, truncated)


def explore(persona, analyser=None, max_layers: int = MAX_LAYERS, max_keys: int = MAX_KEYS) -> ExploreReport:
    t0 = time.perf_counter()
    compiled = persona if isinstance(persona, CompiledPersona) else CompiledPersona(persona)
    model = _Model(compiled, analyser)
    from trainer.engine.session import Session

    start_state = Session(compiled).state
    start_key = model.key(start_state)
    brk_end = compiled.break_off[1] if compiled.break_off else None

    graph: dict[Key, list[tuple[str, Key, str | None]]] = {}  # key -> (choice, next key, ending or None)

    def successors(k: Key):
        got = graph.get(k)
        if got is None:
            got = []
            for cid, _mask in model.choice_masks(k):
                if cid:
                    node, i = compiled.choices[cid]
                    nxt = node.choices[i].next
                    got.append((cid, model.after(k, cid, nxt), nxt if nxt in compiled.endings else None))
            graph[k] = got
        return got

    def play(k: Key, bits: int, masks: dict, cid: str, k2: Key, ending: str | None):
        """Cells after playing `cid` from `bits` at `k`: (cells that go on to k2, [(ending, cells)])."""
        sel = bits & masks[cid]
        if not sel:
            return 0, [], 0
        post = shift(sel, *model.moves[cid])
        ends = []
        brk = model.break_mask(k2) & post if brk_end else 0
        if brk:
            ends.append((brk_end, brk))
            post &= ~brk
        if ending:
            if post:
                ends.append((ending, post))
            post = 0
        return post, ends, sel

    # 1. forward: every state reachable from the start, layer by layer
    start_cell = start_state.trust * W + start_state.motivation
    fwd = _forward(model, successors, start_key, start_cell, brk_end, max_layers, max_keys)
    reach, layers, end_bits, first_hit, taken = fwd.reach, fwd.layers, fwd.end_bits, fwd.first_hit, fwd.taken
    truncated = fwd.truncated
    keys = list(reach)

    # 2. backward: the cells of each key from which an ending can still be reached (worklist to a fixpoint).
    #    When the search was cut off, cells it did not expand count as "can still end" (unknown, so no false
    #    alarm), which makes the stuck count a lower bound.
    unexpanded = layers[-1] if truncated else {}
    preds: dict[Key, set[Key]] = defaultdict(set)
    for k in keys:
        for _cid, k2, ending in successors(k):
            if ending is None and k2 in reach:
                preds[k2].add(k)
    good: dict[Key, int] = {k: unexpanded.get(k, 0) for k in keys}
    work = list(keys)
    queued = set(keys)
    came: dict[tuple[Key, str], tuple[int, int]] = {}  # (key, choice) -> (target, the cells that reach it)
    while work:
        k = work.pop()
        queued.discard(k)
        masks = dict(model.choice_masks(k))
        acc = good[k]
        for cid, k2, ending in successors(k):
            if ending:
                target = FULL
            elif k2 in reach:
                target = good[k2] | model.break_mask(k2)
            else:
                target = FULL if truncated else model.break_mask(k2)
            if target:
                got = came.get((k, cid))
                if got is None or got[0] != target:  # a key is revisited when one successor grew, not all
                    got = came[k, cid] = (target, masks[cid] & preimage(target, *model.moves[cid]))
                acc |= got[1]
        acc &= reach[k]
        if acc != good[k]:
            good[k] = acc
            for pk in preds[k]:
                if pk not in queued:
                    queued.add(pk)
                    work.append(pk)

    def path_to(layer: int, k: Key, cell: int) -> list[str]:
        """Walk back through the BFS layers from one cell to the start (one shortest path)."""
        out: list[str] = []
        while layer > 0:
            for pk, bits in layers[layer - 1].items():
                masks = dict(model.choice_masks(pk))
                hit = next(((cid, bits & masks[cid] & preimage(1 << cell, *model.moves[cid]))
                            for cid, k2, ending in successors(pk) if ending is None and k2 == k
                            and bits & masks[cid] & preimage(1 << cell, *model.moves[cid])), None)
                if hit:
                    cid, cand = hit
                    out.append(cid)
                    k, cell, layer = pk, (cand & -cand).bit_length() - 1, layer - 1
                    break
            else:
                break
        return out[::-1]

    def ending_example(e: str) -> list[str]:
        layer = first_hit[e] - 1
        for pk, bits in layers[layer].items():
            masks = dict(model.choice_masks(pk))
            for cid, k2, ending in successors(pk):
                _post, ends, sel = play(pk, bits, masks, cid, k2, ending)
                target = next((b for name, b in ends if name == e), 0)
                if target:
                    cand = sel & preimage(target, *model.moves[cid])
                    return path_to(layer, pk, (cand & -cand).bit_length() - 1) + [cid]
        return []

    # 3. longest number of turns, on the dialogue graph of the moves actually possible (an upper bound);
    #    a loop that can come before an ending makes it unbounded
    edges: dict[Key, list[tuple[Key | None, str | None]]] = defaultdict(list)
    for k, cid in ((k, cid) for k, cids in taken.items() for cid in cids):
        for c2, k2, ending in successors(k):
            if c2 == cid:
                edges[k].append((None if ending else k2, ending))
                if brk_end:
                    edges[k].append((None, brk_end))
    longest = _longest_on_graph(start_key, edges)

    endings: dict[str, EndingReport] = {}
    for e, bits in end_bits.items():
        rep = EndingReport(e, compiled.endings[e].outcome, states=bits.bit_count(),
                           trust=_range(bits, "trust"), motivation=_range(bits, "motivation"), shortest=first_hit[e])
        rep.longest, rep.unbounded = longest.get(e, (None, False))
        rep.example = ending_example(e)
        endings[e] = rep

    outcomes: dict[str, dict] = {}
    for rep in endings.values():
        o = outcomes.setdefault(rep.outcome, {"endings": [], "shortest": None, "longest": 0, "unbounded": False})
        o["endings"].append(rep.ending)
        o["shortest"] = rep.shortest if o["shortest"] is None else min(o["shortest"], rep.shortest)
        o["unbounded"] = o["unbounded"] or rep.unbounded
        o["longest"] = max(o["longest"], rep.longest or 0)

    stuck_total, stuck_nodes, stuck_example = 0, set(), []
    if True:
        for k in keys:
            bad = reach[k] & ~good[k]
            if bad:
                stuck_total += bad.bit_count()
                stuck_nodes.add(k.node)
                if not stuck_example:
                    layer = next(i for i, lay in enumerate(layers) if lay.get(k, 0) & bad)
                    hit = layers[layer][k] & bad
                    stuck_example = path_to(layer, k, (hit & -hit).bit_length() - 1)

    reached_nodes = {k.node for k in keys}
    taken_choices = {cid for cids in taken.values() for cid in cids}
    seen_phases: dict[str, set[str]] = defaultdict(set)  # node -> phases some reachable state there is in
    for k in keys:
        for ph, mask in model.phases(k).items():
            if reach[k] & mask:
                seen_phases[k.node].add(ph)
    unused_reactions, reaction_gaps = _reaction_coverage(compiled.persona, seen_phases)
    return ExploreReport(
        persona=compiled.persona.id, states=sum(b.bit_count() for b in reach.values()), transitions=fwd.transitions,
        truncated=truncated, endings=endings,
        unreached_endings=[e for e in compiled.endings if e not in endings],
        unreached_nodes=[n for n in compiled.nodes if n not in reached_nodes],
        untaken_choices=[c for c in compiled.choices if c not in taken_choices],
        stuck_states=stuck_total, stuck_example=stuck_example, stuck_nodes=sorted(stuck_nodes),
        no_open_choice_nodes=sorted(fwd.no_open), outcomes=outcomes, seconds=round(time.perf_counter() - t0, 4),
        unused_reactions=unused_reactions, reaction_gaps=reaction_gaps,
    )


COMMON_ACTS = ("open_question", "simple_reflection", "complex_reflection", "affirmation", "directive")


def _reaction_coverage(persona, seen_phases: dict[str, set[str]]) -> tuple[list[str], list[str]]:
    """Which reactions a typed line can actually get in the reachable states, and where common acts get none."""
    from trainer.persona.reactions import reaction_id, select
    from trainer.vocab import ACTS, CONTROLLING_CATEGORIES

    if not persona.reactions:
        return [], []
    used: set[int] = set()
    gaps = []
    cats = [()] + [(c,) for c in CONTROLLING_CATEGORIES]
    # select() reads the node and the phase only to drop the rules that name other ones (reactions.fits), so
    # (node, phase) pairs that keep the same rules get the same answers: ask once per such set of rules
    answers: dict[tuple[int, ...], tuple[set[int], list[str]]] = {}
    for node in persona.nodes:
        for phase in sorted(seen_phases.get(node.id, ())):
            rules = tuple(i for i, r in enumerate(persona.reactions)
                          if (not r.nodes or node.id in r.nodes) and (not r.phases or phase in r.phases))
            got = answers.get(rules)
            if got is None:
                picked = {select(persona, node.id, phase, act, cs) for act in ACTS for cs in cats} - {None}
                got = answers[rules] = (picked, [a for a in COMMON_ACTS if select(persona, node.id, phase, a) is None])
            used |= got[0]
            if got[1]:
                gaps.append(f"{node.id}/{phase}: {', '.join(got[1])}")
    unused = [reaction_id(persona, i) for i in range(len(persona.reactions)) if i not in used]
    return unused, gaps


def _longest_on_graph(start, edges) -> dict[str, tuple[int | None, bool]]:
    """Longest path (in turns) from start to each ending over the key graph; (None, True) when a cycle can
    come before that ending."""
    # iterative DFS for cycle detection and longest paths on a DAG; nodes on a cycle get "unbounded"
    order: list = []
    state: dict = {}
    on_cycle: set = set()
    stack = [(start, iter(edges.get(start, ())))]
    state[start] = 1
    path = [start]
    while stack:
        node, it = stack[-1]
        advanced = False
        for k2, _ending in it:
            if k2 is None:
                continue
            st = state.get(k2)
            if st is None:
                state[k2] = 1
                path.append(k2)
                stack.append((k2, iter(edges.get(k2, ()))))
                advanced = True
                break
            if st == 1:  # back edge: everything on the path from k2 is on a cycle
                on_cycle.update(path[path.index(k2):])
        if not advanced:
            stack.pop()
            path.pop()
            state[node] = 2
            order.append(node)
    # reachable-from-cycle nodes are unbounded too
    tainted = set(on_cycle)
    for node in reversed(order):  # topological order (start first)
        if node in tainted:
            for k2, _e in edges.get(node, ()):
                if k2 is not None:
                    tainted.add(k2)
    result: dict[str, tuple[int | None, bool]] = {}
    for node in tainted:
        for _k2, ending in edges.get(node, ()):
            if ending is not None:
                result[ending] = (None, True)
    best: dict = {start: 0}
    for node in reversed(order):
        if node not in best or node in tainted:
            continue
        for k2, ending in edges.get(node, ()):
            d = best[node] + 1
            if ending is not None:
                old = result.get(ending, (0, False))
                if not old[1]:
                    result[ending] = (max(old[0] or 0, d), False)
            elif k2 not in tainted:
                best[k2] = max(best.get(k2, 0), d)
    return result
