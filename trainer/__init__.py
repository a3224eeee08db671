"""Gesprekstrainer: practise conversations about volunteering with people on social assistance."""

__version__ = "0.1.0"
