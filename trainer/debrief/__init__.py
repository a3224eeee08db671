"""The debrief: controlling-language analyser (analyser.py, lexicon.yaml), cue tracking, rubric and rendering.

Kept empty on purpose: importing trainer.debrief must stay cheap (the CLI and the engine import parts lazily).
"""
