"""Glue between layers for the front ends (CLI, plain mode, app): which analyser the engine uses."""

from __future__ import annotations

from trainer.engine.session import Analyser


def default_analyser() -> Analyser | None:
    """The controlling-language analyser, plugged into the engine's sensitivity hook."""
    try:
        from trainer.debrief.analyser import analyse
    except ImportError:  # analyser not built yet
        return None
    return analyse


def free_text_handler():
    """The plain mode's handler for typed lines (free-text practice), when the matcher is built."""
    try:
        from trainer.freetext import plain_handler
    except ImportError:
        return None
    return plain_handler
