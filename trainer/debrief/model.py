"""The Debrief: plain data about one finished (or stopped) conversation.

Built by `trainer.debrief.build.build_debrief(session, lang)`; rendered by the plain mode
(`trainer.debrief.render.render_text`), the terminal app and the exports. Nothing here knows how it is shown.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class FlagView:
    """A controlling phrase in the trainee's own words."""

    turn: int  # 1-based turn index
    text: str  # the trainee's whole line
    category: str
    start: int  # span of the matched words in `text`
    end: int
    rule: str
    severity: int  # 1 (mild) .. 3 (strong)
    explanation: str  # why it lands badly, with the study reference
    suggestion: str  # an autonomy-supportive rephrasing
    source: str = "lexicon"  # "lexicon" (a word rule: exact span) or "model" (the meaning model: the whole line)
    score: float | None = None  # model flags: the model's score for the category, when known
    example: str = ""  # model flags: the closest labelled example of the category, as an illustration


def first_per_category(flags) -> list[FlagView]:
    """One flag per category, in order: a line's explanation and rephrasing are said once per category."""
    seen: dict[str, FlagView] = {}
    for f in flags:
        seen.setdefault(f.category, f)
    return list(seen.values())


@dataclass(frozen=True)
class CueEvent:
    """An eerherstel cue the persona offered, and what the trainee did with it."""

    cue: str
    label: str
    kind: str
    offered_turn: int  # the turn whose persona line offered it
    persona_line: str
    status: str  # "picked_up" or "missed"
    picked_turn: int | None
    reason: str  # for a miss: "not_addressed", "controlling" or "obligations"; "" when picked up
    example_pickup: str
    why: str  # why picking it up matters (from the persona file, grounded in the study)


@dataclass(frozen=True)
class Measure:
    """One rubric line: a value with its level against a documented threshold."""

    key: str
    label: str
    value: float | int | None
    display: str  # e.g. "1.5 : 1" or "40 %"
    level: str | None  # "goed" / "voldoende" / "onvoldoende", None when not applicable
    target: str  # e.g. "voldoende ≥ 1:1, goed ≥ 2:1"


@dataclass(frozen=True)
class Rubric:
    counts: dict[str, int]  # per MI code
    measures: tuple[Measure, ...]
    controlling_count: int  # trainee lines with at least one controlling flag (one line is one count)
    controlling_severity: int  # sum over those lines of the line's strongest flag
    score: int  # 0..100
    level: str  # "onvoldoende" / "voldoende" / "goed"
    passed: bool
    rule: str  # how score and level were computed, in words


@dataclass(frozen=True)
class Point:
    turn: int  # 0 = start
    trust: int
    motivation: int
    phase: str


@dataclass(frozen=True)
class Debrief:
    persona_id: str
    persona_name: str
    finished: bool
    outcome: str | None
    outcome_label: str
    ending_line: str
    trajectory: tuple[Point, ...]
    flags: tuple[FlagView, ...]
    cues: tuple[CueEvent, ...]
    rubric: Rubric
    turns: int
    lang: str = "nl"
    notes: tuple[str, ...] = field(default_factory=tuple)  # general remarks, e.g. about the outcome

    def to_dict(self) -> dict:
        return asdict(self)

    def flagged_lines(self) -> list[tuple[int, str, tuple[FlagView, ...]]]:
        """The flags per trainee line, in turn order: (turn, line, flags). One sentence can carry two categories;
        it is still one controlling line, shown once with all its categories."""
        by_turn: dict[int, list[FlagView]] = {}
        for f in self.flags:
            by_turn.setdefault(f.turn, []).append(f)
        return [(turn, fs[0].text, tuple(fs)) for turn, fs in sorted(by_turn.items())]
