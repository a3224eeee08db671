"""Attempt numbers: the how-manieth session of a trainee with a persona this is, by start time.

Counted over every journal in the session's folder (finished or not: each started conversation is an attempt, as
in cmi5), from the journals' first lines only, so it is cheap for thousands of sessions. The pseudonym as typed
is the trainee (before --anonymise, which maps it one to one).
"""

from __future__ import annotations

import json
from pathlib import Path


def _header(path: Path) -> dict | None:
    try:
        with open(path, "rb") as fh:
            head = json.loads(fh.readline(1 << 20))
    except (OSError, ValueError, RecursionError):
        return None
    return head if isinstance(head, dict) else None


def attempt_numbers(folders) -> dict[tuple[str, str], int]:
    """{(folder, session id): attempt number} for every readable journal in the folders."""
    out: dict[tuple[str, str], int] = {}
    for folder in {str(Path(f)) for f in folders}:
        groups: dict[tuple[str, str], list[tuple[str, int, str]]] = {}
        for path in Path(folder).glob("*.jsonl"):
            head = _header(path)
            if head is None:
                continue
            sid = str(head.get("session") or path.stem)
            key = (str(head.get("trainee") or ""), str(head.get("persona") or ""))
            try:  # two sessions started in the same second: the one written last is the later attempt
                written = path.stat().st_mtime_ns
            except OSError:
                written = 0
            groups.setdefault(key, []).append((str(head.get("started") or ""), written, sid))
        for items in groups.values():
            for n, (_, _, sid) in enumerate(sorted(items), 1):
                out[(folder, sid)] = n
    return out


def attempts_from_summaries(summaries: list[dict]) -> dict[str, int]:
    """{session id: attempt number} within a list of summaries (what the cohort report has)."""
    groups: dict[tuple[str, str], list[tuple[str, str, str]]] = {}
    for s in summaries:  # ties within a second: the one that finished (or stopped) later is the later attempt
        groups.setdefault((s["trainee"], s["persona_id"]), []).append(
            (s["started_at"] or "", s["finished_at"] or "~", s["session_id"]))
    out = {}
    for items in groups.values():
        for n, (_, _, sid) in enumerate(sorted(items), 1):
            out[sid] = n
    return out
