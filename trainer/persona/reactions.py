"""Which of a persona's `reactions:` answers a typed line that fits no authored choice, and with which line.

A rule fits when the line's act is one of its `acts` (an act id or a group from trainer.vocab.ACT_GROUPS) and,
where the rule names them, the node, the phase and one of the analyser categories found in the line. Of the
rules that fit, the most specific wins: a node counts 8, a category 4, a phase 2, naming the act itself (not a
group) 1; a tie goes to the rule written first. A rule says its lines in turn: the first one not yet said in
this conversation, and when all were said, the one said longest ago (never the one just said).
Pure functions on the persona model, shared by the engine (playing) and the linter (unused rules and lines).
"""

from __future__ import annotations

from typing import Iterable, Sequence

from trainer.persona.model import Persona, Reaction
from trainer.vocab import ACT_GROUPS


def reaction_id(persona: Persona, index: int) -> str:
    rule = persona.reactions[index]
    return rule.id or f"reactions.{index + 1}"


def covers(rule: Reaction, act: str) -> bool:
    return any(a == act or act in ACT_GROUPS.get(a, ()) for a in rule.acts)


def specificity(rule: Reaction, act: str) -> int:
    return 8 * bool(rule.nodes) + 4 * bool(rule.categories) + 2 * bool(rule.phases) + (act in rule.acts)


def fits(rule: Reaction, node: str, phase: str, act: str, categories: Iterable[str]) -> bool:
    if not covers(rule, act):
        return False
    if rule.nodes and node not in rule.nodes:
        return False
    if rule.phases and phase not in rule.phases:
        return False
    return not rule.categories or bool(set(rule.categories) & set(categories))


def select(persona: Persona, node: str, phase: str, act: str, categories: Iterable[str] = ()) -> int | None:
    """Index of the rule that answers, or None (the persona falls back)."""
    cats = tuple(categories)
    best: tuple[int, int] | None = None
    for i, rule in enumerate(persona.reactions):
        if fits(rule, node, phase, act, cats):
            key = specificity(rule, act)
            if best is None or key > best[0]:
                best = (key, i)
    return None if best is None else best[1]


def pick_line(rule: Reaction, said: Sequence[str]) -> int:
    """Which of the rule's lines to say, given every persona line said so far in this conversation (in order)."""
    last_said: dict[str, int] = {}
    for k, text in enumerate(said):
        last_said[text] = k
    fresh = [i for i, text in enumerate(rule.say) if text not in last_said]
    if fresh:
        return fresh[0]
    return min(range(len(rule.say)), key=lambda i: (last_said[rule.say[i]], i))
