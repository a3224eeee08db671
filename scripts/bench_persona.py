"""Benchmark: validate + lint of a generated 5,000-node persona (target < 1 s together).

`bench()` returns the figures (used by scripts/bench); run this file directly to print them. Each figure is the
best of a few runs, in seconds, so a busy machine disturbs it less. The controlling-language analyser (KM107)
is warmed up first: its one-time lexicon load belongs to the analyser, not to linting a persona.
"""

from __future__ import annotations

import gc
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

N_NODES = 5000
RUNS = 3


def _best(fn, runs: int = RUNS) -> tuple[float, float, object]:
    """(best wall-clock seconds, best CPU seconds, result): CPU time shows the cost on a busy machine too."""
    wall, cpu, result = float("inf"), float("inf"), None
    for _ in range(runs):
        result = None  # free the previous run's persona first, as a fresh `trainer lint` would have nothing
        gc.collect()
        start, start_cpu = time.perf_counter(), time.process_time()
        result = fn()
        wall = min(wall, time.perf_counter() - start)
        cpu = min(cpu, time.process_time() - start_cpu)
    return wall, cpu, result


def bench() -> dict:
    from trainer.persona.generate import generate_persona
    from trainer.persona.lint import lint, lint_file
    from trainer.wiring import default_analyser
    from trainer.persona.loader import check_source

    text = generate_persona(N_NODES, seed=0)
    analyse = default_analyser()
    start = time.perf_counter()
    if analyse is not None:
        analyse("U moet morgen komen.")
    warm_up = time.perf_counter() - start

    validate_s, validate_cpu, checked = _best(lambda: check_source("generated.yaml", text))
    assert checked.persona is not None, checked.diagnostics[:3]
    lint_s, lint_cpu, diags = _best(lambda: lint(checked.persona, checked.source, analyse))
    both_s, both_cpu, _ = _best(lambda: lint_file("generated.yaml", text, analyse))  # what `trainer lint` runs
    persona = checked.persona
    return {
        "persona": f"{N_NODES} nodes, {sum(len(n.choices) for n in persona.nodes)} choices, "
                   f"{len(text.encode()) / 1024:.0f} KiB",
        "validate (s) [cpu]": f"{validate_s:.3f} [{validate_cpu:.3f}]",
        "lint (s) [cpu]": f"{lint_s:.3f} [{lint_cpu:.3f}]",
        "validate + lint (s) [cpu], target < 1": f"{both_s:.3f} [{both_cpu:.3f}]",
        "lint diagnostics": f"{len(diags)} ({sum(d.code == 'KM108' for d in diags)} KM108 info)",
        "analyser warm-up, once per process (s)": round(warm_up, 3) if analyse else "analyser not available",
    }


if __name__ == "__main__":
    for key, value in bench().items():
        print(f"{key:<45} {value}")
