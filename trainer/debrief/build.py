"""Build the Debrief of a session: flags in the trainee's own words, cue events, rubric, trajectory."""

from __future__ import annotations

from trainer.debrief.cues import track_cues
from trainer.debrief.model import Debrief, FlagView, Point
from trainer.debrief.rubric import score_rubric
from trainer.engine.session import Session
from trainer.vocab import OUTCOMES


def _analyse(text: str, lang: str):
    from trainer.debrief.analyser import analyse

    return analyse(text, ui_lang=lang)


def build_debrief(session: Session, lang: str = "nl") -> Debrief:
    lang = lang if lang in ("nl", "en") else "nl"
    persona = session.persona
    flags: list[FlagView] = []
    controlling_turns: set[int] = set()
    for turn in session.turns:
        analysis = _analyse(turn.trainee_line, lang)
        if analysis.controlling:
            controlling_turns.add(turn.index)
        for f in analysis.flags:
            flags.append(FlagView(turn.index, turn.trainee_line, f.category, f.start, f.end, f.rule, f.severity,
                                  f.explanation, f.suggestion))
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
