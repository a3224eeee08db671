"""The shape of a persona file, as pydantic models: what validation checks (types, ranges, required and unknown
keys) and what the JSON Schema is generated from. A file that passes becomes the plain `trainer.persona.model`
objects the rest of the program uses (`to_model`); pydantic is loaded only to validate.

Structure (see docs/format.md for the trainer's guide): identity and background, start meters,
phase rules, sensitivities, cues, nodes with phase variants and choices, endings with outcomes.
Cross-references (node ids, cue ids, conditions) are checked in `trainer.persona.semantics`.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from trainer.vocab import ACT_GROUPS, ACTS, CATEGORIES, CUE_KINDS, DIFFICULTIES, MI_CODES, PHASES

Id = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_\-]*$", max_length=64)]
Text = Annotated[str, StringConstraints(min_length=1, max_length=4000)]
Meter = Annotated[int, Field(ge=0, le=100)]
Delta = Annotated[int, Field(ge=-100, le=100)]

Difficulty = Literal[DIFFICULTIES]  # type: ignore[valid-type]
MICode = Literal[MI_CODES]  # type: ignore[valid-type]
Phase = Literal[PHASES]  # type: ignore[valid-type]
CueKind = Literal[CUE_KINDS]  # type: ignore[valid-type]
Category = Literal[CATEGORIES]  # type: ignore[valid-type]
ActName = Literal[ACTS + tuple(ACT_GROUPS)]  # type: ignore[valid-type]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Fact(Strict):
    text: Text
    sources: list[Text] = Field(min_length=1)


class Meters(Strict):
    trust: Meter = 50
    motivation: Meter = 50


class Effects(Strict):
    trust: Delta = 0
    motivation: Delta = 0


class BreakOff(Strict):
    # A phase rule that ends the conversation, e.g. trust collapses and the persona walks out.
    when: Text = Field(alias="if")
    ending: Id


class Cue(Strict):
    id: Id
    kind: CueKind
    label: Text
    why: Text
    source: Text
    pickups: list[Text] = Field(min_length=1)
    patterns: list[Text] = []


class Choice(Strict):
    id: Id | None = None
    text: Text
    codes: list[MICode] = Field(min_length=1)
    picks_up: list[Id] = []
    effects: Effects = Effects()
    when: Text | None = Field(default=None, alias="if")
    next: Id
    controlling: bool = False
    examples: list[Text] = []


class Node(Strict):
    id: Id
    say: Text
    variants: dict[Phase, Text] = {}
    offers: list[Id] = []
    choices: list[Choice] = Field(min_length=1, max_length=9)
    fallback: Text | None = None


class Ending(Strict):
    id: Id
    outcome: Id
    say: Text
    variants: dict[Phase, Text] = {}
    summary: Text | None = None


class Reaction(Strict):
    # How the persona answers a typed line that fits no authored choice, by what the line does (its act).
    # The most specific rule that fits wins (node > category > phase); its lines are said in turn, no repeats.
    id: Id | None = None
    acts: list[ActName] = Field(min_length=1)
    phases: list[Phase] = []
    nodes: list[Id] = []
    categories: list[Category] = []   # only when the analyser finds one of these in the typed line
    effects: Effects = Effects()
    next: Id | None = None            # move on to this node or ending (default: stay at the node)
    say: list[Text] = Field(min_length=1)


class Persona(Strict):
    format: Literal[1] = 1
    id: Id
    name: Text
    age: Annotated[int, Field(ge=16, le=100)]
    difficulty: Difficulty = "gemiddeld"
    situation: Text
    summary: Text
    scene: Text
    facts: list[Fact] = Field(min_length=1)
    meters: Meters = Meters()
    phases: dict[Phase, Text] = {}
    moods: dict[Phase, Text] = {}
    break_off: BreakOff | None = None
    sensitivities: dict[Category, Effects] = {}
    outcomes: dict[Id, Text] = {}
    cues: list[Cue] = []
    start: Id
    fallback: Text = "Hoe bedoelt u?"
    fallback_effects: Effects = Effects(trust=-2)
    nodes: list[Node] = Field(min_length=1)
    endings: list[Ending] = Field(min_length=1)
    reactions: list[Reaction] = []
