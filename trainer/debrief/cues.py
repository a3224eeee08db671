"""Eerherstel cue tracking: which cues the persona offered, and whether the trainee picked them up.

Rule (documented in docs/debrief.md): a cue offered in the persona's line at turn k is picked up when turn k or
turn k+1 picks it up (an authored choice that lists it, or typed words matching its patterns, which the matcher
records in `Turn.picks_up`). It is missed outright when the answer at turn k is controlling or turns to
obligations (no second chance: the moment has passed), and otherwise missed when neither turn addresses it.
Each cue is judged once: picked up when any of its offers was picked up (a second chance when the persona
brings it up again), otherwise missed, with the first miss quoted.
"""

from __future__ import annotations

from typing import Callable, Sequence

from trainer.debrief.model import CueEvent
from trainer.engine.session import Turn
from trainer.persona.model import Persona

OBLIGATION_TURN = {"obligation", "sanction", "pressure", "surveillance"}


def track_cues(persona: Persona, turns: Sequence[Turn], is_controlling: Callable[[Turn], bool]) -> list[CueEvent]:
    cues = {c.id: c for c in persona.cues}
    judged: dict[str, CueEvent] = {}  # one event per cue: the first pick-up, else the first miss
    order: list[str] = []
    for k, turn in enumerate(turns):
        for cue_id in turn.offered:
            if cue_id not in cues or (cue_id in judged and judged[cue_id].status == "picked_up"):
                continue
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
            if cue_id in judged and status == "missed":
                continue  # keep the first miss; a later offer only counts when it is picked up
            if cue_id not in judged:
                order.append(cue_id)
            cue = cues[cue_id]
            judged[cue_id] = CueEvent(
                cue=cue_id, label=cue.label, kind=cue.kind, offered_turn=turn.index, persona_line=turn.persona_line,
                status=status, picked_turn=picked, reason=reason, example_pickup=cue.pickups[0], why=cue.why,
            )
    return [judged[c] for c in order]
