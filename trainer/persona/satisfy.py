"""Can a condition ever hold? Decided statically by trying the values that matter.

A condition compares trust, motivation and turns with whole-number constants. Its truth can only change at
those constants, so trying each constant c as c-1, c and c+1 (plus the meter bounds 0 and 100) covers every
case exactly. The functions visited(), picked_up() and offered() are tried true and false, unless the place
where the condition is checked fixes them (at node X, visited("X") is true). `phase` is not free: it follows
from the meters through the phase rules, so `phase == "betrokken" and trust < 20` is correctly never true.

When a condition compares two variables (`trust > motivation`), or has too many combinations to try, the
answer is "unknown" and the linter stays silent rather than risk a false warning.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from trainer.persona.conditions import compile_condition, parse
from trainer.vocab import DEFAULT_PHASE_RULES, METER_MAX, METER_MIN, PHASE_ORDER, PHASES

MAX_COMBINATIONS = 20_000  # per condition; above this the answer is "unknown"
UNKNOWN = "unknown"


@dataclass(frozen=True)
class Facts:
    """What is known where a condition is checked: calls fixed to true or false, and the fewest turns."""

    true: frozenset = frozenset()  # of (function, argument), e.g. ("visited", "opening")
    false: frozenset = frozenset()
    min_turns: int = 0


class _Point:
    """One combination of values, shaped like the engine's State for compiled conditions."""

    __slots__ = ("trust", "motivation", "turns", "phase", "visited", "picked_up", "offered")

    def describe(self, names) -> str:
        return ", ".join(f"{n} {getattr(self, n)}" for n in ("trust", "motivation", "turns", "phase") if n in names)


@dataclass
class _Shape:
    numbers: dict[str, set[int]]  # variable -> constants it is compared with
    calls: set[tuple[str, str]]
    uses_phase: bool
    exact: bool  # False when two variables are compared with each other


def _shape(tree: tuple, into: _Shape) -> _Shape:
    kind = tree[0]
    if kind == "var":
        if tree[1] == "phase":
            into.uses_phase = True
        else:
            into.numbers.setdefault(tree[1], set())
    elif kind == "call":
        into.calls.add((tree[1], tree[2]))
    elif kind == "not":
        _shape(tree[1], into)
    elif kind in ("and", "or"):
        _shape(tree[1], into)
        _shape(tree[2], into)
    elif kind == "cmp":
        left, right = tree[2], tree[3]
        if left[0] == "var" and right[0] == "var" and left[1] != "phase":
            into.exact = False
        for var, const in ((left, right), (right, left)):
            if var[0] == "var" and const[0] == "num":
                into.numbers.setdefault(var[1], set()).add(const[1])
        _shape(left, into)
        _shape(right, into)
    return into


def _merge(a: _Shape, b: _Shape) -> _Shape:
    numbers = {k: set(v) for k, v in a.numbers.items()}
    for k, v in b.numbers.items():
        numbers.setdefault(k, set()).update(v)
    return _Shape(numbers, a.calls | b.calls, a.uses_phase or b.uses_phase, a.exact and b.exact)


class Checker:
    """Decides conditions for one persona (its phase rules). Results are cached per condition and facts."""

    def __init__(self, phase_overrides: dict[str, str] | None = None):
        rules = {**DEFAULT_PHASE_RULES, **(phase_overrides or {})}
        self.rules = [(phase, compile_condition(rules[phase])) for phase in PHASE_ORDER]
        self.rules_shape = _Shape({}, set(), False, True)
        for phase in PHASE_ORDER:
            self.rules_shape = _merge(self.rules_shape, _shape(parse(rules[phase]).tree, _Shape({}, set(), False, True)))
        # A rule that reads `phase` makes the phase depend on history; then phase is tried as a free value.
        self.phase_is_free = self.rules_shape.uses_phase
        self._cache: dict[tuple, Any] = {}
        self._shapes: dict[str, tuple[_Shape, _Shape]] = {}  # condition -> (its own shape, with the phase rules)

    def example(self, condition: str, facts: Facts = Facts()) -> str | None:
        """A description of values where the condition holds ("" if it needs none), None if it can never
        hold, or UNKNOWN."""
        if condition not in self._shapes:
            own = _shape(parse(condition).tree, _Shape({}, set(), False, True))
            self._shapes[condition] = (own, _merge(own, self.rules_shape) if own.uses_phase and not self.phase_is_free
                                       else own)
        own, shape = self._shapes[condition]
        key = (condition, frozenset(c for c in facts.true if c in shape.calls),
               frozenset(c for c in facts.false if c in shape.calls), facts.min_turns if "turns" in shape.numbers else 0)
        if key not in self._cache:
            names = list(own.numbers) + (["phase"] if own.uses_phase else [])  # what the author wrote
            self._cache[key] = self._search(condition, shape, facts, names)
        return self._cache[key]

    def _search(self, condition: str, shape: _Shape, facts: Facts, names: list[str]):
        test = compile_condition(condition)
        axes: list[tuple[str, list]] = [(var, _points(var, consts, facts.min_turns)) for var, consts in
                                        sorted(shape.numbers.items())]
        free_calls = sorted(c for c in shape.calls if c not in facts.true and c not in facts.false)
        fixed_true = [c for c in shape.calls if c in facts.true]
        free_phase = shape.uses_phase and self.phase_is_free
        size = 2 ** len(free_calls) * (len(PHASES) if free_phase else 1)
        for _var, values in axes:
            size *= len(values)
        if size > MAX_COMBINATIONS:
            return UNKNOWN
        point = _Point()
        point.trust, point.motivation, point.turns, point.phase = 50, 50, facts.min_turns, PHASES[0]
        for numbers in itertools.product(*(values for _var, values in axes)):
            for var_value in zip(axes, numbers):
                setattr(point, var_value[0][0], var_value[1])
            for truths in itertools.product((False, True), repeat=len(free_calls)):
                true_calls = fixed_true + [c for c, t in zip(free_calls, truths) if t]
                point.visited = {arg for fn, arg in true_calls if fn == "visited"}
                point.picked_up = {arg for fn, arg in true_calls if fn == "picked_up"}
                point.offered = {arg for fn, arg in true_calls if fn == "offered"}
                for phase in (PHASES if free_phase else (None,)):
                    point.phase = phase if phase is not None else self._phase(point)
                    if test(point):
                        return point.describe(names)
        return None if shape.exact else UNKNOWN

    def _phase(self, point: _Point) -> str:
        for phase, rule in self.rules:
            if rule(point):
                return phase
        return PHASES[0]


def _points(var: str, constants: set[int], min_turns: int) -> list[int]:
    if var == "turns":
        lo, hi = min_turns, max([min_turns, *constants]) + 1
    else:
        lo, hi = METER_MIN, METER_MAX
    points = {lo, hi}
    for c in constants:
        points.update(v for v in (c - 1, c, c + 1) if lo <= v <= hi)
    return sorted(points)
