"""Playing typed lines: classify and match, then choose, react or fall back through the session (or the Run).

A typed line is read three ways: its act (trainer.freetext.acts, what the line does), the authored choice it fits
(trainer.freetext.matcher: words and meaning) and the typed-line analyser's categories (trainer.wiring). Then:
- it fits a choice: that choice is played, but counted as what the trainee did (the act's MI codes, not the
  authored choice's), with the categories found in the typed words;
- it fits none but is understood (a clear act other than off_topic) and the persona has a reaction for that act
  here: the persona reacts (Session.react);
- otherwise (off topic, unintelligible, or no reaction written): the fallback, which counts as no MI act.

Everything decided is passed to the engine explicitly (choice id, score, act, codes, categories, pick-ups), and the
Run journals exactly those, so replaying a journal never runs the classifier or the matcher again.
"""

from __future__ import annotations

from dataclasses import replace

from trainer.engine.session import Session, SessionError, Turn
from trainer.freetext.matcher import DEFAULT, MatchResult, Settings, decide, index_for
from trainer.freetext.picks import own_picks, typed_picks
from trainer.vocab import ACT_CODES


def _analyse(text: str):
    from trainer.wiring import typed_analyser

    return typed_analyser()(text)  # lexicon + meaning model for the trainee's own words


def _session(target) -> Session:
    return target.session if hasattr(target, "journal") else target


def prepare(target, settings: Settings = DEFAULT) -> None:
    """Build the matcher's indexes for a session's (or run's, or persona's) persona now and load the sentence
    model. Optional: the first typed line builds what it needs; the app calls this in a worker thread."""
    from trainer.freetext.acts import act_model
    from trainer.freetext.meaning import meaning_index

    persona = getattr(_session(target), "persona", target)
    index_for(persona, settings).prepare()
    act_model()
    meaning_index(persona).prepare()


def understand(text: str, vector=None):
    """(ActGuess, analyser categories) of a typed line. The act model reads the analyser's categories as features;
    its guess is not overruled by them: a rule "a controlling category makes any soft act a directive" was
    measured (grouped CV over 1,881 labelled lines) to cost 2 points of accuracy, because writers' reassurances
    ("Dit gesprek heeft geen gevolgen voor uw uitkering") and repaired slips carry the same words."""
    from trainer.freetext.acts import classify

    detected = tuple(sorted(set(_analyse(text).categories))) if text.strip() else ()
    return classify(text, vector, detected), detected


def match(session, text: str, settings: Settings = DEFAULT) -> MatchResult:
    """Classify and match typed text at the session's current node. Pure: plays nothing."""
    from trainer.freetext.acts import line_vector
    from trainer.freetext.meaning import about_something_else, meaning_index

    s = _session(session)
    if s.ended:
        raise SessionError("the conversation has ended")
    vector = line_vector(text)
    guess, detected = understand(text, vector)
    mindex = meaning_index(s.persona)
    meaning = mindex.scores(s.state.node, vector)
    result = decide(index_for(s.persona, settings), s.state.node, text, s.open_choices(), settings, meaning=meaning)
    reaction = topic = None
    if result.kind == "fallback" and guess.understood and result.reason != "empty":
        topic = mindex.topical(vector)
    if topic is not None and not about_something_else(topic, detected):
        index = s.reaction_for(guess.act, detected)
        if index is not None:
            from trainer.persona.reactions import reaction_id

            reaction = reaction_id(s.persona, index)
    return replace(result, act=guess.act, act_confidence=guess.confidence, act_runner_up=guess.runner_up,
                   detected=detected, reaction=reaction, topic=topic)


def _codes(result: MatchResult, choice=None, score: float = 0.0) -> tuple[str, ...]:
    """What the rubric counts for a typed line: the codes of its act. Played as an authored choice, the choice's own
    codes only when the act's codes are not among them and the line is a close paraphrase of it (score >=
    STRONG_MATCH): the words then do what the authored choice does, whatever the act model made of them."""
    from trainer.freetext.picks import STRONG_MATCH

    codes = ACT_CODES.get(result.act, ()) if result.act else ()
    if choice is not None and not set(codes) & set(choice.codes) and score >= STRONG_MATCH:
        return tuple(choice.codes)
    return codes


def play(target, result: MatchResult, choice: str | None = None) -> Turn:
    """Play a MatchResult on a Session or a Run (journaled).

    - match: plays the best choice.
    - tie: pass `choice` (the id the trainee picked from result.candidates); without it the best-ranked is played.
    - fallback with a reaction: the persona reacts to the act; without: the persona's fallback (no MI codes).
    `choice` may also name any open choice, e.g. when the app lets the trainee correct a match.
    """
    s = _session(target)
    text = result.typed
    analysis = _analyse(text)
    # the categories of the two-source verdict, from the same analysis the act was read with
    detected = result.detected if result.act is not None else tuple(sorted(set(analysis.categories)))
    act = result.act
    if result.kind == "fallback" and choice is None:
        extra = typed_picks(s, text, analysis, act=act)
        if result.reaction is not None:
            return target.react(text, act, codes=_codes(result), extra_picks=extra, detected=detected,
                                reaction=result.reaction)
        return target.fallback(text, codes=(), extra_picks=extra, detected=detected, act=act)
    confirmed = choice is not None
    cid = choice if choice is not None else result.best.id
    cand = next((c for c in result.ranked if c.id == cid), None)
    opened = {o.id: o for o in s.open_choices()}
    if cid not in opened:
        raise SessionError(f"choice '{cid}' is not open here")
    score = round(cand.score if cand is not None else result.score, 4)
    own = own_picks(s, opened[cid].choice, text, analysis, score, confirmed=confirmed)
    extra = typed_picks(s, text, analysis, exclude=opened[cid].choice.picks_up, act=act)
    return target.choose(cid, typed=text, score=score, extra_picks=extra, own_picks=own, detected=detected,
                         codes=_codes(result, opened[cid].choice, score) if act is not None else None, act=act)


def play_typed(session, text: str, run=None, settings: Settings = DEFAULT) -> Turn:
    """Match and play in one go (test plans' `type:` steps). A tie plays the best-ranked candidate."""
    target = run if run is not None else session
    return play(target, match(_session(target), text, settings))
