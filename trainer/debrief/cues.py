"""Eerherstel cue tracking: which cues the persona offered, and whether the trainee picked them up.

Rule (documented in docs/debrief.md): a cue offered in the persona's line at turn k is picked up when turn k or
turn k+1 picks it up (an authored choice that lists it, or typed words matching its patterns, which the matcher
records in `Turn.picks_up`). It is missed outright when the answer at turn k is controlling or turns to
obligations (no second chance: the moment has passed), and otherwise missed when neither turn addresses it.
A cue that was already picked up is not counted again when the persona offers it once more.
"""

from __future__ import annotations

from typing import Callable, Sequence

from trainer.debrief.model import CueEvent
from trainer.engine.session import Turn
from trainer.persona.model import Persona

OBLIGATION_TURN = {"obligation", "sanction", "pressure", "surveillance"}


def track_cues(persona: Persona, turns: Sequence[Turn], is_controlling: Callable[[Turn], bool]) -> list[CueEvent]:
    cues = {c.id: c for c in persona.cues}
    events: list[CueEvent] = []
    done: set[str] = set()
    for k, turn in enumerate(turns):
        for cue_id in turn.offered:
            if cue_id in done or cue_id not in cues:
                continue
            cue = cues[cue_id]
            status, picked, reason = "missed", None, "not_addressed"
            if cue_id in turn.picks_up:
                status, picked, reason = "picked_up", turn.index, ""
            elif is_controlling(turn):
                reason = "controlling"
            elif OBLIGATION_TURN & set(turn.detected):
                reason = "obligations"
            elif k + 1 < len(turns) and cue_id in turns[k + 1].picks_up:
                status, picked, reason = "picked_up", turns[k + 1].index, ""
            elif k + 1 >= len(turns) and turn.ended is None:
                continue  # the conversation stopped before the trainee had a second chance: not judged yet
            done.add(cue_id)
            events.append(CueEvent(
                cue=cue_id, label=cue.label, kind=cue.kind, offered_turn=turn.index, persona_line=turn.persona_line,
                status=status, picked_turn=picked, reason=reason, example_pickup=cue.pickups[0], why=cue.why,
            ))
    return events
