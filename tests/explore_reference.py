"""Reference implementations for tests/test_explore.py: the path explorer's forward search and reaction coverage as
they were before the numpy search (one big-integer cell set per key and layer, every select() call made). Slow
but plain; the explorer must report exactly what these report."""

from __future__ import annotations

from collections import defaultdict

from trainer.engine.explore import FULL, W, Forward, Key, _cols_from, _rows_from, shift

def _edge(dt: int, dm: int) -> tuple[int, int]:
    """(cells a move by (dt, dm) keeps inside the grid, cells it pushes past 0 or 100 and so must clamp)."""
    keep = FULL
    if dt > 0:
        keep &= FULL & ~_rows_from(W - dt)
    elif dt < 0:
        keep &= _rows_from(-dt)
    if dm > 0:
        keep &= FULL & ~_cols_from(W - dm)
    elif dm < 0:
        keep &= _cols_from(-dm)
    return keep, FULL & ~keep


SPARSE = 6  # up to this many cells, moving them one by one beats shifting the whole 10,201-bit set


def shift_cells(cells: int, dt: int, dm: int) -> int:
    """shift() for a few cells, one by one."""
    out = 0
    while cells:
        low = cells & -cells
        t, m = divmod(low.bit_length() - 1, W)
        t += dt
        m += dm
        out |= 1 << ((0 if t < 0 else W - 1 if t >= W else t) * W + (0 if m < 0 else W - 1 if m >= W else m))
        cells ^= low
    return out


def forward(model, successors, start_key: Key, start_cell: int, brk_end, max_layers: int, max_keys: int) -> Forward:
    """Breadth-first over big-integer sets of cells; every cell is expanded once, in the layer where it is first
    reached."""
    start_bit = 1 << start_cell
    reach: dict[Key, int] = defaultdict(int, {start_key: start_bit})
    layers: list[dict[Key, int]] = [{start_key: start_bit}]
    end_bits: dict[str, int] = defaultdict(int)
    first_hit: dict[str, int] = {}
    taken: dict[Key, dict[str, None]] = defaultdict(dict)
    no_open: set[str] = set()
    transitions = 0
    truncated = False
    stored = 1
    moves: dict[Key, tuple] = {}

    def moves_of(k: Key) -> tuple:
        got = moves.get(k)
        if got is None:
            masks = dict(model.choice_masks(k))
            got = moves[k] = (masks[""], [(cid, masks[cid], *model.moves[cid], k2, ending, model.break_mask(k2),
                                            *_edge(*model.moves[cid]), model.moves[cid][0] * W + model.moves[cid][1])
                                           for cid, k2, ending in successors(k)])
        return got

    while layers[-1]:
        if len(layers) > max_layers or stored > max_keys:
            truncated = True
            break
        depth = len(layers)
        frontier: dict[Key, int] = defaultdict(int)
        for k, bits in layers[-1].items():
            none_open, edges = moves_of(k)
            if bits & none_open:
                no_open.add(k.node)
            played = taken[k]
            for cid, mask, dt, dm, k2, ending, brk_mask, keep, edge, off in edges:
                sel = bits & mask
                if not sel:
                    continue
                played[cid] = None
                transitions += sel.bit_count()
                inner = sel & keep
                post = (inner << off) if off >= 0 else (inner >> -off)
                outer = sel & edge
                if outer:
                    post |= shift_cells(outer, dt, dm) if outer.bit_count() <= SPARSE else shift(outer, dt, dm)
                brk = post & brk_mask
                if brk:
                    end_bits[brk_end] |= brk
                    first_hit.setdefault(brk_end, depth)
                    post ^= brk
                if ending:
                    if post:
                        end_bits[ending] |= post
                        first_hit.setdefault(ending, depth)
                    continue
                new = post ^ (post & reach[k2]) if post else 0
                if new:
                    frontier[k2] |= new
        for k, b in frontier.items():
            reach[k] |= b
        stored += len(frontier)
        layers.append(dict(frontier))
    return Forward(dict(reach), layers, dict(end_bits), first_hit, dict(taken), no_open, transitions, truncated)


def reaction_coverage(persona, seen_phases):
    """Every select() call, no shortcut."""
    from trainer.engine.explore import COMMON_ACTS
    from trainer.persona.reactions import reaction_id, select
    from trainer.vocab import ACTS, CONTROLLING_CATEGORIES

    if not persona.reactions:
        return [], []
    used: set[int] = set()
    gaps = []
    cats = [()] + [(c,) for c in CONTROLLING_CATEGORIES]
    for node in persona.nodes:
        for phase in sorted(seen_phases.get(node.id, ())):
            for act in ACTS:
                for cs in cats:
                    k = select(persona, node.id, phase, act, cs)
                    if k is not None:
                        used.add(k)
            missing = [a for a in COMMON_ACTS if select(persona, node.id, phase, a) is None]
            if missing:
                gaps.append(f"{node.id}/{phase}: {', '.join(missing)}")
    unused = [reaction_id(persona, i) for i in range(len(persona.reactions)) if i not in used]
    return unused, gaps
