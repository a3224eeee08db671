"""Build the Debrief of a session: flags in the trainee's own words, cue events, rubric, trajectory."""

from __future__ import annotations

from trainer.debrief.cues import track_cues
from trainer.debrief.model import Debrief, FlagView, Point
from trainer.debrief.rubric import score_rubric
from trainer.engine.session import Session
from trainer.vocab import CONTROLLING_CATEGORIES, OUTCOMES


def _analyse(text: str, lang: str):
    from trainer.debrief.analyser import analyse

    return analyse(text, ui_lang=lang)


def _typed_flags(turn, lang: str) -> list:
    """A typed line's flags, from the verdict recorded when it was played (turn.detected): lexicon flags of those
    categories, and a whole-line model flag for each category only the meaning model heard. The model itself is
    consulted only when it is already loaded in this process (score and closest example); exports never load it."""
    import sys

    from trainer.debrief.analyser import Flag

    line = turn.trainee_line
    lexicon = _analyse(line, lang)
    detected = set(turn.detected)
    flags = [f for f in lexicon.flags if f.category in detected]
    missing = [c for c in CONTROLLING_CATEGORIES if c in detected and c not in {f.category for f in flags}]
    if not missing:
        return flags
    det = sys.modules.get("trainer.debrief.detector")
    known = {}
    if det is not None and det.default_detector.built():  # an export never loads the model itself
        known = {f.category: f for f in det.verdict(line, ui_lang=lang).flags if f.source == "model"}
    for c in missing:
        if c in known:
            flags.append(known[c])
        else:
            from trainer.debrief.detector import _category_text, _severity

            flags.append(Flag(c, 0, len(line), f"model.{c}", _severity(c), _category_text(c, "explanation", lang),
                              _category_text(c, "suggestion", lang), source="model"))
    return flags


def build_debrief(session: Session, lang: str = "nl") -> Debrief:
    lang = lang if lang in ("nl", "en") else "nl"
    persona = session.persona
    flags: list[FlagView] = []
    controlling_turns: set[int] = set()
    for turn in session.turns:
        found = _typed_flags(turn, lang) if turn.typed is not None else _analyse(turn.trainee_line, lang).flags
        if found:
            controlling_turns.add(turn.index)
        for f in found:
            flags.append(FlagView(turn.index, turn.trainee_line, f.category, f.start, f.end, f.rule, f.severity,
                                  f.explanation, f.suggestion, f.source, f.score, f.example))
    cues = track_cues(persona, session.turns, lambda t: t.index in controlling_turns)
    points = [Point(0, session.turns[0].trust_before, session.turns[0].motivation_before, session.turns[0].phase_before)
              ] if session.turns else [Point(0, session.state.trust, session.state.motivation, session.state.phase)]
    points += [Point(t.index, t.trust_after, t.motivation_after, t.phase_after) for t in session.turns]
    outcome = session.outcome
    if outcome in OUTCOMES:
        label = OUTCOMES[outcome][lang]
    elif outcome:
        label = persona.outcomes.get(outcome, outcome)
    else:
        label = "Niet afgerond" if lang == "nl" else "Not finished"
    rubric = score_rubric(session.turns, flags, cues, outcome, session.state.trust, lang)
    ending = session.ending
    return Debrief(
        persona_id=persona.id, persona_name=persona.name, finished=session.ended, outcome=outcome,
        outcome_label=label, ending_line=session.current_line() if session.ended else "",
        trajectory=tuple(points), flags=tuple(flags), cues=tuple(cues), rubric=rubric,
        turns=len(session.turns), lang=lang,
        notes=(ending.summary,) if ending is not None and ending.summary else (),
    )
