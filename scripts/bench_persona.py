"""Benchmark: validate + lint of a generated 5,000-node persona (target < 1 s together).

`bench()` returns the figures (used by scripts/bench); run this file directly to print them. Each figure is the
best of a few runs, in seconds, so a busy machine disturbs it less. The controlling-language analyser (KM107)
is warmed up first: its one-time lexicon load belongs to the analyser, not to linting a persona.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

N_NODES = 5000
RUNS = 3


def _best(fn, runs: int = RUNS) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def bench() -> dict:
    from trainer.persona.generate import generate_persona
    from trainer.persona.lint import default_analyser, lint
    from trainer.persona.loader import check_source

    text = generate_persona(N_NODES, seed=0)
    analyse = default_analyser()
    start = time.perf_counter()
    if analyse is not None:
        analyse("U moet morgen komen.")
    warm_up = time.perf_counter() - start

    validate_s, checked = _best(lambda: check_source("generated.yaml", text))
    assert checked.persona is not None, checked.diagnostics[:3]
    lint_s, diags = _best(lambda: lint(checked.persona, checked.source, analyse))
    both_s, _ = _best(lambda: lint(*(lambda c: (c.persona, c.source))(check_source("generated.yaml", text)), analyse))
    persona = checked.persona
    return {
        "persona": f"{N_NODES} nodes, {sum(len(n.choices) for n in persona.nodes)} choices, "
                   f"{len(text.encode()) / 1024:.0f} KiB",
        "validate (s)": round(validate_s, 3),
        "lint (s)": round(lint_s, 3),
        "validate + lint (s), target < 1": round(both_s, 3),
        "lint diagnostics": f"{len(diags)} ({sum(d.code == 'KM108' for d in diags)} KM108 info)",
        "analyser warm-up, once per process (s)": round(warm_up, 3) if analyse else "analyser not available",
    }


if __name__ == "__main__":
    for key, value in bench().items():
        print(f"{key:<45} {value}")
