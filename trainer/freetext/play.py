"""Playing typed lines: match, then choose or fall back through the session (or the journaled Run).

Everything the matcher decided is passed to the engine explicitly (choice id, score, own_picks, extra_picks,
codes), and the Run journals exactly those arguments, so replaying a journal never runs the matcher again and a
resumed session is identical even when the matcher, its settings or the lexicon changed in between.
"""

from __future__ import annotations

from trainer.engine.session import Session, SessionError, Turn
from trainer.freetext.matcher import DEFAULT, MatchResult, Settings, decide, index_for
from trainer.freetext.picks import own_picks, typed_picks


def _analyse(text: str):
    from trainer.wiring import typed_analyser

    return typed_analyser()(text)  # lexicon + meaning model for the trainee's own words


def _session(target) -> Session:
    return target.session if hasattr(target, "journal") else target


def prepare(target, settings: Settings = DEFAULT) -> None:
    """Build the matcher's index for a session's (or run's, or persona's) persona now. Optional: the first match
    builds what it needs; the app can call this in a worker thread so the first typed line is instant."""
    persona = getattr(_session(target), "persona", target)
    index_for(persona, settings).prepare()


def match(session, text: str, settings: Settings = DEFAULT) -> MatchResult:
    """Match typed text against the choices open at the session's current node. Pure: plays nothing."""
    s = _session(session)
    if s.ended:
        raise SessionError("the conversation has ended")
    return decide(index_for(s.persona, settings), s.state.node, text, s.open_choices(), settings)


def play(target, result: MatchResult, choice: str | None = None) -> Turn:
    """Play a MatchResult on a Session or a Run (journaled).

    - match: plays the best choice.
    - tie: pass `choice` (the id the trainee picked from result.candidates); without it the best-ranked is played.
    - fallback: the persona's fallback, staying at this node.
    `choice` may also name any open choice, e.g. when the app lets the trainee correct a match.
    """
    s = _session(target)
    text = result.typed
    analysis = _analyse(text)
    if result.kind == "fallback" and choice is None:
        extra = typed_picks(s, text, analysis)
        return target.fallback(text, codes=tuple(analysis.codes), extra_picks=extra,
                               detected=tuple(sorted(set(analysis.categories))))
    confirmed = choice is not None
    cid = choice if choice is not None else result.best.id
    cand = next((c for c in result.ranked if c.id == cid), None)
    opened = {o.id: o for o in s.open_choices()}
    if cid not in opened:
        raise SessionError(f"choice '{cid}' is not open here")
    score = round(cand.score if cand is not None else result.score, 4)
    own = own_picks(s, opened[cid].choice, text, analysis, score, confirmed=confirmed)
    extra = typed_picks(s, text, analysis, exclude=opened[cid].choice.picks_up)
    return target.choose(cid, typed=text, score=score, extra_picks=extra, own_picks=own,
                         detected=tuple(sorted(set(analysis.categories))))


def play_typed(session, text: str, run=None, settings: Settings = DEFAULT) -> Turn:
    """Match and play in one go (test plans' `type:` steps). A tie plays the best-ranked candidate."""
    target = run if run is not None else session
    return play(target, match(_session(target), text, settings))
