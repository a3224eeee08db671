"""Exports for assessors: one canonical session record, and CSV, xAPI, HTML and a cohort report made from it.

Layering: this package uses the engine and the debrief, never textual, and rich nowhere (the terminal table
of `trainer report` lives in trainer/commands/report.py). Heavy modules are imported by the commands, not here.

- record.py   the canonical SessionRecord (pydantic), JSON round trip, published JSON Schema
- load.py     which journals a SESSION argument means; rebuild sessions by replay (personas loaded once)
- summary.py  one flat summary per session, cached next to the journals (what csv and report read)
- csvout.py   CSV (sessions or turns), Excel-friendly
- xapi.py     xAPI 1.0.3 statements
- lrs.py      sending statements to a learning record store, with a send-state file
- html.py     the self-contained printable report
- cohort.py   cohort aggregation; csv / xlsx / json output of `trainer report`
- privacy.py  pseudonym hashing (--anonymise) and its salt
- fileio.py   atomic writes
"""
