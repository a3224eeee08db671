"""Cue pick-ups judged on the trainee's own words.

Rules (the debrief's cue tracker reads the result from `Turn.picks_up`):

1. Typed pick-ups (`extra_picks`): a cue offered in one of the last two persona lines (the line being answered and
   the one before it) counts as picked up when the typed words match one of the cue's `patterns` AND the analyser
   reads the line as a question, a reflection or an affirmation AND the line is not controlling. Naming the cue
   inside an obligation ("die brief krijgt iedereen, u moet gewoon komen") is not picking it up.
2. The matched choice's own `picks_up` (`own_picks`): an authored choice lists the cues its authored text picks
   up, but the trainee typed their own words. Such a cue still counts when the typed line is not controlling and
   either the typed words match the cue's patterns, or the match is strong (score >= STRONG_MATCH: the line is a
   close paraphrase of the authored choice or one of its examples), or the trainee confirmed the choice after a
   "which did you mean" question (they picked that authored text themselves). Otherwise it does not count: a
   weak match on "Hoe gaat het in het project?" to a choice that also reflects on the persona's pride should not
   earn the pride pick-up.
"""

from __future__ import annotations

from trainer.engine.session import Session
from trainer.freetext.text import pattern_matches
from trainer.persona.model import Choice, Cue

PICKUP_CODES = frozenset({"question", "simple_reflection", "complex_reflection", "affirm"})
PICKUP_ACTS = frozenset({"open_question", "closed_question", "simple_reflection", "complex_reflection", "affirmation",
                         "summary", "autonomy_support"})
STRONG_MATCH = 0.4
PICKUP_MEANING = 0.6  # cosine of the typed line with one of the cue's authored pick-up lines ("judged by meaning")


def _cues(session: Session) -> dict[str, Cue]:
    return {c.id: c for c in session.persona.cues}


def recent_offers(session: Session) -> list[str]:
    """Cues offered in the last two persona lines: the current line and the line the last turn answered."""
    offers = list(session.node.offers) if not session.ended else []
    if session.turns:
        offers += session.turns[-1].offered
    return list(dict.fromkeys(offers))


def _by_meaning(cue: Cue, text: str) -> bool:
    from trainer.freetext.acts import line_vector
    from trainer.semantic.encoder import default_encoder

    pickups = [p for p in cue.pickups if p.strip()]
    if not pickups:
        return False
    sims = default_encoder().vectors(pickups) @ line_vector(text)
    return float(sims.max()) >= PICKUP_MEANING


def addresses(cue: Cue, text: str, meaning: bool = False) -> bool:
    """The typed words name the cue (one of its patterns) or, with meaning, say what one of its authored
    pick-up lines says."""
    return any(pattern_matches(p, text) for p in cue.patterns) or (meaning and _by_meaning(cue, text))


def is_pickup_line(analysis, act: str | None = None) -> bool:
    if analysis.controlling:
        return False
    if act is not None:  # the act classifier read the whole line; the analyser's codes only see keywords
        return act in PICKUP_ACTS
    return bool(PICKUP_CODES & set(analysis.codes))


def typed_picks(session: Session, text: str, analysis, exclude=(), act: str | None = None) -> tuple[str, ...]:
    """Rule 1: cues from the last two persona lines that the typed words pick up (with an act: also by meaning)."""
    if not is_pickup_line(analysis, act):
        return ()
    cues = _cues(session)
    done = session.state.picked_up
    return tuple(cid for cid in recent_offers(session)
                 if cid in cues and cid not in done and cid not in exclude
                 and addresses(cues[cid], text, meaning=act is not None))


def own_picks(session: Session, choice: Choice, text: str, analysis, score: float,
              confirmed: bool = False) -> tuple[str, ...] | None:
    """Rule 2: which of the choice's own picks_up count for this typed line (None when it lists none)."""
    if not choice.picks_up:
        return None
    if analysis.controlling:
        return ()
    cues = _cues(session)
    return tuple(cid for cid in choice.picks_up
                 if confirmed or score >= STRONG_MATCH or (cid in cues and addresses(cues[cid], text)))
