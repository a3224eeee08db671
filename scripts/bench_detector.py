#!/usr/bin/env python3
"""Lexicon only vs lexicon + meaning model (trainer/debrief/detector.py), side by side, in one run.

    .venv/bin/python scripts/bench_detector.py      (or: scripts/bench bench_detector)

- dev: the training script's own dev split (calibration; not a fair measure of the model)
- holdout6: tests/data/analyser_eval.yaml split holdout6 (never trained on; was measured before for the lexicon)
- holdout7: the frozen holdout tests/data/corpus_holdout/*.yaml (written by someone who saw neither the lexicon nor
  the corpus; measured once when the model was final)
- supportive flagged: non-controlling lines of all three sets flagged controlling (%)
- study lines: every `study: true` line of analyser_eval flagged?
- typed line latency (model warm, a new line each time), engine turns/s with the two-source analyser on the
  shipped personas (lines cached, as in a session)
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for p in (ROOT, ROOT / "scripts"):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))

HOLDOUT7 = ROOT / "tests" / "data" / "corpus_holdout"


def _pr(truth, got) -> str:
    tp = sum(1 for t, g in zip(truth, got) if t and g)
    fp = sum(1 for t, g in zip(truth, got) if g and not t)
    fn = sum(1 for t, g in zip(truth, got) if t and not g)
    return f"P={tp / max(1, tp + fp):.3f} R={tp / max(1, tp + fn):.3f} n={len(truth)}"


def sets() -> dict[str, list[dict]]:
    import yaml

    from train_detector import EVAL, load_items

    from trainer.debrief.detector import MODEL_FILE

    import numpy as np

    with np.load(MODEL_FILE, allow_pickle=False) as z:
        files = [str(f) for f in z["sources"]]
    out = {"dev": [it for it in load_items(files) if it["dev"]]}
    ev = yaml.safe_load(EVAL.read_text(encoding="utf-8"))["items"]
    out["holdout6"] = [it for it in ev if it.get("split") == "holdout6"]
    h7 = []
    for path in sorted(HOLDOUT7.glob("*.yaml")):
        h7 += (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("items") or []
    out["holdout7"] = h7
    out["study"] = [it for it in ev if it.get("study")]
    return out


def bench() -> dict:
    from trainer.debrief.analyser import analyse
    from trainer.debrief.detector import verdict, warm

    t = time.perf_counter()
    warm()
    out: dict = {"model_load_s": round(time.perf_counter() - t, 2)}
    data = sets()
    support_lex, support_both = [], []
    for name in ("dev", "holdout6", "holdout7"):
        items = data[name]
        if not items:
            out[name] = "(not there)"
            continue
        truth = [bool(it["controlling"]) for it in items]
        lex = [analyse(it["text"]).controlling for it in items]
        both = [verdict(it["text"]).controlling for it in items]
        out[f"{name} lexicon only"] = _pr(truth, lex)
        out[f"{name} lexicon+model"] = _pr(truth, both)
        support_lex += [g for t, g in zip(truth, lex) if not t]
        support_both += [g for t, g in zip(truth, both) if not t]
        if name == "holdout7":
            h_lex = [g for t, g in zip(truth, lex) if not t]
            h_both = [g for t, g in zip(truth, both) if not t]
            out["holdout7 supportive flagged % (lexicon | both)"] = \
                f"{100 * sum(h_lex) / max(1, len(h_lex)):.1f} | {100 * sum(h_both) / max(1, len(h_both)):.1f}"
    out["all sets supportive flagged % (lexicon | both)"] = \
        f"{100 * sum(support_lex) / max(1, len(support_lex)):.1f} | {100 * sum(support_both) / max(1, len(support_both)):.1f}"
    study = data["study"]
    ctrl_study = [it for it in study if it["controlling"]]
    out["study lines flagged (lexicon | both)"] = (
        f"{sum(analyse(it['text']).controlling for it in ctrl_study)}/{len(ctrl_study)} | "
        f"{sum(verdict(it['text']).controlling for it in ctrl_study)}/{len(ctrl_study)}")

    times = []
    for i in range(200):
        text = f"Ik wil dat u volgende week {i} sollicitaties laat zien."
        t = time.perf_counter()
        verdict(text)
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    out["typed line ms median / p95 (model warm)"] = f"{statistics.median(times):.1f} / {times[int(0.95 * len(times))]:.1f}"
    out["engine turns/s (lexicon | both)"] = f"{_engine(analyse)} | {_engine(verdict)}"
    return out


def _engine(analyser) -> int:
    """Random walks over the shipped personas with the analyser on every line (lines cached after the first)."""
    import random

    from trainer.engine.session import Session
    from trainer.persona.loader import load_persona

    personas = [load_persona(p).persona for p in sorted((ROOT / "personas").glob("*.yaml"))]
    rng = random.Random(7)
    for warmup in (True, False):
        turns, t = 0, time.perf_counter()
        for _ in range(40 if warmup else 200):
            for persona in personas:
                s = Session(persona, analyser=analyser)
                while not s.ended and len(s.turns) < 40:
                    s.choose(rng.choice(s.open_choices()).id)
                    turns += 1
        elapsed = time.perf_counter() - t
    return round(turns / elapsed)


if __name__ == "__main__":
    for key, value in bench().items():
        print(f"{key:<52} {value}")
