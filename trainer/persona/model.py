"""The persona model the program plays with: plain frozen records, built from a validated file.

The file's shape (types, ranges, required and unknown keys) is checked by the pydantic models in
`trainer.persona.shape`; `from_data` turns the validated data (their `model_dump()`, or the cached copy of it, see
`trainer.persona.cache`) into these objects. Keeping them plain means playing a persona whose validation is cached
never loads pydantic (about a third of a second at the start of `trainer play`). The field names, order and
defaults are the shape's (a test keeps the two equal); `when` is the file's `if`.

Structure (see docs/format.md for the trainer's guide): identity and background, start meters,
phase rules, sensitivities, cues, nodes with phase variants and choices, endings with outcomes.
"""

from __future__ import annotations


class Record:
    """A frozen record with keyword fields, compared, hashed and shown by its fields, like a frozen dataclass.

    Written out rather than `@dataclass(frozen=True)`: generating the dataclass methods of these eleven classes
    took about 25 ms at every start of `trainer play`. A class lists its fields as annotations; a class attribute
    of the same name is the default (a list or dict default is copied for every object).
    """

    _fields: tuple[str, ...] = ()
    _defaults: dict = {}

    def __init_subclass__(cls) -> None:
        cls._fields = tuple(cls.__dict__.get("__annotations__", {}))
        cls._defaults = {f: cls.__dict__[f] for f in cls._fields if f in cls.__dict__}

    def __init__(self, **values) -> None:
        own = self.__dict__
        for name in self._fields:
            if name in values:
                own[name] = values.pop(name)
            elif name in self._defaults:
                value = self._defaults[name]
                own[name] = value.copy() if isinstance(value, (list, dict)) else value
            else:
                raise TypeError(f"{type(self).__name__}: missing field {name!r}")
        if values:
            raise TypeError(f"{type(self).__name__}: unknown field {next(iter(values))!r}")

    def _values(self) -> tuple:
        return tuple(self.__dict__[f] for f in self._fields)

    def __eq__(self, other) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._values() == other._values()

    def __hash__(self) -> int:
        return hash(self._values())  # a TypeError when a field is a list or dict, as for a frozen dataclass

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(f'{f}={v!r}' for f, v in zip(self._fields, self._values()))})"

    def __setattr__(self, name, value) -> None:
        raise AttributeError(f"{type(self).__name__} is frozen")

    def __delattr__(self, name) -> None:
        raise AttributeError(f"{type(self).__name__} is frozen")

    def replace(self, **changes) -> "Record":
        """A copy with some fields changed (tests, tools)."""
        return type(self)(**{**self.__dict__, **changes})


class Fact(Record):
    text: str
    sources: list[str]


class Meters(Record):
    trust: int = 50
    motivation: int = 50


class Effects(Record):
    trust: int = 0
    motivation: int = 0


class BreakOff(Record):
    when: str  # a condition; the conversation ends in `ending` when it holds
    ending: str


class Cue(Record):
    id: str
    kind: str
    label: str
    why: str
    source: str
    pickups: list[str]
    patterns: list[str] = []


class Choice(Record):
    id: str | None = None
    text: str
    codes: list[str]
    picks_up: list[str] = []
    effects: Effects = Effects()
    when: str | None = None
    next: str
    controlling: bool = False
    examples: list[str] = []


class Node(Record):
    id: str
    say: str
    variants: dict[str, str] = {}
    offers: list[str] = []
    choices: list[Choice]
    fallback: str | None = None


class Ending(Record):
    id: str
    outcome: str
    say: str
    variants: dict[str, str] = {}
    summary: str | None = None


class Reaction(Record):
    # How the persona answers a typed line that fits no authored choice, by what the line does (its act).
    # The most specific rule that fits wins (node > category > phase); its lines are said in turn, no repeats.
    id: str | None = None
    acts: list[str]
    phases: list[str] = []
    nodes: list[str] = []
    categories: list[str] = []  # only when the analyser finds one of these in the line
    effects: Effects = Effects()
    next: str | None = None  # move on to this node or ending (default: stay at the node)
    say: list[str]


class Persona(Record):
    format: int = 1
    id: str
    name: str
    age: int
    difficulty: str = "gemiddeld"
    situation: str
    summary: str
    scene: str
    facts: list[Fact]
    meters: Meters = Meters()
    phases: dict[str, str] = {}
    moods: dict[str, str] = {}
    break_off: BreakOff | None = None
    sensitivities: dict[str, Effects] = {}
    outcomes: dict[str, str] = {}
    cues: list[Cue] = []
    start: str
    fallback: str = "Hoe bedoelt u?"
    fallback_effects: Effects = Effects(trust=-2)
    nodes: list[Node]
    endings: list[Ending]
    reactions: list[Reaction] = []


def to_data(value):
    """A record as plain data (dicts, lists, text, numbers): what `from_data` reads back."""
    if isinstance(value, Record):
        return {f: to_data(v) for f, v in zip(value._fields, value._values())}
    if isinstance(value, list):
        return [to_data(v) for v in value]
    if isinstance(value, dict):
        return {k: to_data(v) for k, v in value.items()}
    return value


def from_data(d: dict) -> Persona:
    """The persona from validated data with the field names (not the file's aliases), every field present: the
    shape model's `model_dump()`. Raises TypeError or KeyError when a key is missing or unknown."""
    return Persona(**{
        **d,
        "facts": [Fact(**f) for f in d["facts"]],
        "meters": Meters(**d["meters"]),
        "break_off": BreakOff(**d["break_off"]) if d["break_off"] is not None else None,
        "sensitivities": {k: Effects(**v) for k, v in d["sensitivities"].items()},
        "cues": [Cue(**c) for c in d["cues"]],
        "fallback_effects": Effects(**d["fallback_effects"]),
        "nodes": [Node(**{**n, "choices": [Choice(**{**c, "effects": Effects(**c["effects"])}) for c in n["choices"]]})
                  for n in d["nodes"]],
        "endings": [Ending(**e) for e in d["endings"]],
        "reactions": [Reaction(**{**r, "effects": Effects(**r["effects"])}) for r in d["reactions"]],
    })
