"""`trainer explore` as a trainer meets it: per shipped persona (personas/*.yaml) the in-process search time and the
wall clock of a fresh `trainer explore personas/X.yaml` process, from spawning it until it has printed the report
and exited. Target: < 1 s per shipped persona, fresh process included.

Two cache states (the user cache folder: the parsed word list and the categories of the persona's own lines):
- warm: the usual rerun after an edit; a private cache folder filled by one untimed run first;
- edited: the warm cache, but the persona file was just edited (one choice's text changed, a new text every run):
  the persona is checked anew and the changed line analysed, as after every edit;
- cold: an empty cache folder for every run (the first run ever, or after the word list or analyser changed).

Bytecode is written and warm (one untimed run), as on a trainer's machine. Every run is listed, not only the
median; the machine is shared, so run under the lock: `flock /tmp/bench.lock scripts/bench bench_explore`.
BENCH_EXPLORE_RUNS sets the number of runs per figure (default 7), BENCH_EXPLORE_PERSONAS a comma-separated subset
(e.g. "ingrid,henk").
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RUNS = int(os.environ.get("BENCH_EXPLORE_RUNS", "7"))
TARGET = 1.0


def _command() -> list[str]:
    script = Path(sys.executable).with_name("trainer")  # the console script a trainer types
    return [str(script)] if script.is_file() else [sys.executable, "-m", "trainer"]


def _env(cache: Path) -> dict:
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONDONTWRITEBYTECODE", "GESPREKSTRAINER_CACHE", "PYTHONPROFILEIMPORTTIME")}
    env["XDG_CACHE_HOME"] = str(cache)
    return env


def fresh_run(persona: Path, cache: Path) -> float:
    """Seconds from spawning `trainer explore persona` until it exited (its report read to the end)."""
    t0 = time.perf_counter()
    proc = subprocess.run([*_command(), "explore", str(persona)], env=_env(cache), cwd=ROOT,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - t0
    if proc.returncode not in (0, 1) or not proc.stdout.startswith(persona.stem.encode()):
        raise RuntimeError(f"trainer explore {persona.name} exited with {proc.returncode}: "
                           f"{proc.stderr.decode(errors='replace').strip()[-300:]}")
    return elapsed


def edited_copy(persona: Path, folder: Path, n: int) -> Path:
    """A copy of the persona in `folder` (same file name) whose first choice text ends in a new word (run n)."""
    import re

    folder.mkdir(parents=True, exist_ok=True)
    text = persona.read_text(encoding="utf-8")
    edited = re.sub(r"(?m)^( {4,}- text: )([^\"'>|\s].*)$", lambda m: f"{m.group(1)}{m.group(2)} (bewerking {n})", text, count=1)
    if edited == text:  # every choice text quoted (Chien): edit inside the quotes
        edited = re.sub(r'(?m)^( {4,}- text: ")(.*)"$', lambda m: f'{m.group(1)}{m.group(2)} (bewerking {n})"', text, count=1)
    if edited == text:
        raise RuntimeError(f"{persona.name}: no choice text found to edit")
    text = edited
    copy = folder / persona.name
    copy.write_text(text, encoding="utf-8")
    return copy


def in_process(persona: Path) -> list[float]:
    from trainer.debrief.analyser import AuthoredCategories, default_lexicon
    from trainer.engine.explore import explore
    from trainer.persona.loader import load_persona

    loaded = load_persona(persona)
    categories = AuthoredCategories(default_lexicon())
    explore(loaded.persona, analyser=categories.analyser)  # warm: regexes, numpy
    return [explore(loaded.persona, analyser=categories.analyser).seconds for _ in range(RUNS)]


def _fmt(runs: list[float]) -> str:
    mark = "ok" if max(runs) < TARGET else "OVER"
    return (f"median {statistics.median(runs):.2f}, max {max(runs):.2f} [{mark}]; runs "
            + " ".join(f"{r:.2f}" for r in runs))


def bench() -> dict:
    personas = sorted((ROOT / "personas").glob("*.yaml"))
    only = [x for x in os.environ.get("BENCH_EXPLORE_PERSONAS", "").split(",") if x]
    personas = [p for p in personas if not only or p.stem in only]
    out: dict = {"runs per figure": RUNS, "target (s, every run)": f"< {TARGET}"}
    with tempfile.TemporaryDirectory(prefix="bench-explore-") as tmp:
        warm = Path(tmp) / "warm"
        for p in personas:  # bytecode, file cache and the warm cache folder, untimed
            fresh_run(p, warm)
        for p in personas:
            name = p.stem
            out[f"{name}: in-process search (s)"] = _fmt(in_process(p))
            out[f"{name}: fresh CLI, warm cache (s)"] = _fmt([fresh_run(p, warm) for _ in range(RUNS)])
            out[f"{name}: fresh CLI, just edited (s)"] = _fmt(
                [fresh_run(edited_copy(p, Path(tmp) / f"edit-{name}", i), warm) for i in range(RUNS)])
            cold = []
            for i in range(RUNS):
                folder = Path(tmp) / f"cold-{name}-{i}"
                cold.append(fresh_run(p, folder))
            out[f"{name}: fresh CLI, cold cache (s)"] = _fmt(cold)
    return out


if __name__ == "__main__":
    for key, value in bench().items():
        print(f"{key:<40} {value}")
