"""Free-text practice: the trainee types their own words and the matcher maps them to an authored choice.

API for front ends (plain mode, the terminal app, test plans):

    match(session, text) -> MatchResult          pure; plays nothing
        .kind        "match" | "tie" | "fallback"
        .best        Candidate (id, number, text, score, evidence) ranked first (None if nothing is open)
        .candidates  match: (best,); tie: the 2-3 choices to ask about; fallback: ()
        .score       score of the best choice (0..1)
        .ranked      every open choice, best first;  .reason, .to_dict() for display/JSON
    play(session_or_run, result, choice=None) -> Turn
        plays the decision; after a tie pass choice=<candidate id the trainee picked>. With a Run the turn is
        journaled (typed text, matched choice, score, pick-ups), so resume replays it exactly.
    play_typed(session, text, run=None) -> Turn   match + play (a tie plays the best-ranked candidate)
    prepare(session_or_run_or_persona)            build the index now (optional; e.g. in a worker thread)
    plain_handler(ui, text)                       the PlainUI hook (`trainer play --plain --free`)

How matching works: trainer.freetext.matcher (model and decision rule), trainer.freetext.text (Dutch
normalisation), trainer.freetext.picks (cue pick-ups on the typed words). Measured on the evaluation sets in
tests/data/freetext_eval by scripts/bench_freetext.py.
"""

from trainer.freetext.matcher import DEFAULT, Candidate, MatchResult, Settings, clear_cache, index_for
from trainer.freetext.picks import STRONG_MATCH, own_picks, typed_picks
from trainer.freetext.plain import plain_handler
from trainer.freetext.play import match, play, play_typed, prepare

__all__ = ["Candidate", "DEFAULT", "MatchResult", "STRONG_MATCH", "Settings", "clear_cache", "index_for", "match",
           "own_picks", "plain_handler", "play", "play_typed", "prepare", "typed_picks"]
