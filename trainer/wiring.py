"""Glue between layers for the front ends (CLI, plain mode, app): the analyser the engine uses, and the
free-text matcher. The engine itself imports neither (it sits below them)."""

from __future__ import annotations

from trainer.engine.session import Analyser
from trainer.errors import SetupError


def default_analyser() -> Analyser:
    """The controlling-language analyser, plugged into the engine's sensitivity hook."""
    from trainer.debrief.analyser import LexiconError, analyse, default_lexicon

    try:
        default_lexicon()  # load now, so a broken trainer lexicon is reported before anything starts
    except LexiconError as exc:
        raise SetupError(str(exc)) from None
    return analyse


def authored_categories():
    """`trainer explore`'s analyser: the categories of the persona's own lines from the user cache where known
    (AuthoredCategories); the word list is loaded, and a broken one reported, only when a line is new."""
    from trainer.debrief.lexicon_cache import AuthoredCategories, default_lexicon_files

    def load():
        from trainer.debrief.analyser import default_lexicon

        default_analyser()  # a broken word list: a one-line SetupError
        return default_lexicon()

    return AuthoredCategories(load, files=default_lexicon_files())


def lint_analyser() -> Analyser:
    """KM107 in `trainer lint`: the two-source verdict, so unmarked choices the model reads as controlling are
    suggested too. Authored texts are kept in the disk cache (call `save_embeddings()` when done)."""
    default_analyser()
    from trainer.debrief.detector import verdict

    return lambda text: verdict(text, remember=True)


def save_embeddings() -> None:
    import sys

    if "trainer.semantic.encoder" in sys.modules:
        from trainer.semantic import default_encoder

        default_encoder().save()


def free_text_handler():
    """The plain mode's handler for typed lines (free-text practice)."""
    from trainer.freetext import plain_handler

    return plain_handler


def free_text_step(run=None):
    """A test-plan 'type:' step: match typed words and play them (journaled when a Run is given)."""
    from trainer.freetext import play_typed

    if run is None:
        return lambda session, text: play_typed(session, text)
    return lambda session, text: play_typed(session, text, run=run)


def typed_analyser() -> Analyser:
    """The analyser for a trainee's own typed words (free text): lexicon and, once trained, the meaning model.

    Authored choices keep using `default_analyser()` so their tuned effects stay stable; typed lines get the
    detector that also hears new phrasings (trainer.debrief.detector.verdict; the model loads on first use, or in
    a worker through `.warm()`).
    """
    default_analyser()  # a broken lexicon is reported before anything starts
    from trainer.debrief.detector import TypedAnalyser

    return TypedAnalyser()
