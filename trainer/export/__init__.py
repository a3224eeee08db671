"""Exports for assessors: one canonical session record, and CSV, xAPI, HTML and a cohort report made from it.

Layering: this package uses the engine and the debrief, never textual, and rich nowhere (the terminal table
of `trainer report` lives in trainer/commands/report.py). Heavy modules are imported by the commands, not here.

- record.py   the canonical SessionRecord (pydantic), JSON round trip, published JSON Schema
- load.py     which journals a SESSION argument means; rebuild sessions by replay (personas loaded once)
- summary.py  one flat summary per session, cached next to the journals (what csv and report read)
- csvout.py   CSV (sessions or turns), Excel-friendly
- xapi.py     xAPI 1.0.3 statements (interactions, grouping, attempt, abandoned, voiding)
- xapiconf.py where statements say they come from: home page, course, cohort (option / env / xapi.toml)
- lrs.py      sending statements to a learning record store: deadline, size cap, read-back, locked send state
- html.py     the self-contained printable report, and the printable cohort overview
- cohort.py   cohort aggregation and gradebook; csv / xlsx / json output of `trainer report`
- attempts.py attempt numbers (trainee x persona, by start time)
- timefmt.py  one named time zone for the times shown
- privacy.py  pseudonym hashing (--anonymise) and its salt
- fileio.py   atomic writes (nothing left behind by a killed writer), safe file names from session ids
"""
