"""Errors every front end reports as one plain line instead of a traceback."""


class SetupError(Exception):
    """Something in the user's set-up (e.g. a broken extra lexicon file) stops the program; say it plainly."""
