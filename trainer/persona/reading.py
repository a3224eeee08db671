"""How the simulator reads a persona's choices: what the analyser finds in each line and what the persona's
sensitivities then add to the authored effects (`trainer inspect` / `trainer lees`).

The engine applies, per turn, the choice's own `effects` plus one sensitivity effect per category the analyser
finds in the line (see Session._advance). A trainer who already wrote `effects: {trust: -10}` for a line the
analyser reads as `obligation` (sensitivity trust -6) gets -16: counted twice. This module makes that visible.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from trainer.persona.flow import choice_id
from trainer.persona.model import Persona


DOUBLE_FROM = 5  # an authored change this large, plus a sensitivity the same way, is likely counted twice


@dataclass
class Finding:
    category: str
    words: str  # the words of the line that triggered it ("" when the analyser gives no span)
    controlling: bool


@dataclass
class Reading:
    choice: str  # the trainer's id: own id or "<node>.<n>"
    path: tuple  # ("nodes", n, "choices", c), for a position
    text: str
    controlling_tag: bool  # the choice says controlling: true
    findings: list[Finding]
    authored: tuple[int, int]  # (trust, motivation) written in the file
    added: dict[str, tuple[int, int]]  # category -> (trust, motivation) from the sensitivities
    double: list[str] = field(default_factory=list)  # meters pushed the same way by both

    @property
    def total(self) -> tuple[int, int]:
        return (self.authored[0] + sum(t for t, _ in self.added.values()),
                self.authored[1] + sum(m for _, m in self.added.values()))


def read_choices(persona: Persona, analyse: Callable | None) -> list[Reading]:
    """One Reading per choice, in file order."""
    out = []
    sens = persona.sensitivities
    for n, node in enumerate(persona.nodes):
        for c, choice in enumerate(node.choices):
            findings: list[Finding] = []
            if analyse is not None:
                result = analyse(choice.text)
                for flag in getattr(result, "flags", ()):
                    findings.append(Finding(flag.category, _span(choice.text, flag), True))
                for hit in getattr(result, "supportive", ()):
                    findings.append(Finding(hit.category, _span(choice.text, hit), False))
            categories = sorted({f.category for f in findings})  # the engine counts a category once per line
            added = {cat: (sens[cat].trust, sens[cat].motivation) for cat in categories if cat in sens}
            authored = (choice.effects.trust, choice.effects.motivation)
            double = []
            for i, meter in enumerate(("trust", "motivation")):
                extra = sum(fx[i] for fx in added.values())
                # a real authored effect (not a nudge of a few points) that the sensitivities push further
                if abs(authored[i]) >= DOUBLE_FROM and extra and (extra > 0) == (authored[i] > 0):
                    double.append(meter)
            out.append(Reading(choice_id(node.id, c, choice.id), ("nodes", n, "choices", c), choice.text,
                               choice.controlling, findings, authored, added, double))
    return out


def _span(text: str, found) -> str:
    start, end = getattr(found, "start", None), getattr(found, "end", None)
    return text[start:end] if isinstance(start, int) and isinstance(end, int) else ""
