#!/usr/bin/env python3
"""Lexicon only vs lexicon + meaning model (trainer/debrief/detector.py), side by side, in one run.

    .venv/bin/python scripts/bench_detector.py      (or: scripts/bench bench_detector)
    .venv/bin/python scripts/bench_detector.py --no-cv   (skip the grouped cross-validation, a few minutes)

- grouped CV: the training data in 9 folds of whole source files (scripts/train_detector.py): each fold is scored by
  models trained on the other folds, the way a fresh writer's lines meet the model, then combined by the shipped
  combiner and thresholds; "writers" = the corpus files and the folded-in holdouts 7-9, "all" adds analyser_eval
  (which the lexicon was tuned on, so its lexicon figures there are in-sample)
- holdout6: tests/data/analyser_eval.yaml split holdout6 (never trained on, measured before for the lexicon)
- holdout7: tests/data/corpus_holdout/*.yaml, USED for training and lexicon fixes since 2026-12-03; measured once
  before that, with the first model: lexicon 0.743 / 0.416, lexicon + model P 0.775 R 0.536
- holdout8: tests/data/corpus_holdout8/*.yaml, USED for training since the third round; measured once before that,
  with the second model: lexicon P 0.861 R 0.495, lexicon + model P 0.829 R 0.850 (supportive flagged 8.0 -> 17.5 %)
- holdout9: tests/data/corpus_holdout9/*.yaml, USED for training since the fourth round; measured once before that,
  with the third model: lexicon P 0.864 R 0.543, lexicon + model P 0.895 R 0.854 (supportive flagged 8.5 -> 10.0 %)
- holdout10: tests/data/corpus_holdout10/*.yaml when present (frozen, by other blind writers; never trained or tuned
  on); "not present" otherwise
- supportive flagged: non-controlling lines flagged controlling (%); study lines: every `study: true` controlling
  line of analyser_eval flagged?
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

HOLDOUTS = {"holdout7": ROOT / "tests" / "data" / "corpus_holdout",
            "holdout8": ROOT / "tests" / "data" / "corpus_holdout8",
            "holdout9": ROOT / "tests" / "data" / "corpus_holdout9",
            "holdout10": ROOT / "tests" / "data" / "corpus_holdout10"}
HOLDOUT7_BEFORE = "measured once before training on it (first model): P 0.775 R 0.536; lexicon P 0.743 R 0.416"
HOLDOUT8_BEFORE = ("measured once before training on it (second model): P 0.829 R 0.850, supportive flagged 17.5 %; "
                   "lexicon P 0.861 R 0.495, 8.0 %")
HOLDOUT9_BEFORE = ("measured once before training on it (third model): P 0.895 R 0.854, supportive flagged 10.0 %; "
                   "lexicon P 0.864 R 0.543, 8.5 %")


def _pr(truth, got) -> str:
    tp = sum(1 for t, g in zip(truth, got) if t and g)
    fp = sum(1 for t, g in zip(truth, got) if g and not t)
    fn = sum(1 for t, g in zip(truth, got) if t and not g)
    neg = sum(1 for t in truth if not t)
    return (f"P={tp / max(1, tp + fp):.3f} R={tp / max(1, tp + fn):.3f} "
            f"supportive flagged {100 * fp / max(1, neg):4.1f} % n={len(truth)}")


def load_holdout(folder: Path) -> list[dict] | None:
    """The items of a frozen holdout folder (*.yaml, `items:` lists), or None when the folder is not there."""
    import yaml

    paths = sorted(folder.glob("*.yaml")) if folder.is_dir() else []
    if not paths:
        return None
    items = []
    for path in paths:
        items += (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("items") or []
    return items


def grouped_cv() -> dict:
    """Lexicon only vs lexicon + model on the grouped cross-validation (out-of-fold scores, shipped thresholds)."""
    import numpy as np

    import train_detector as td
    from trainer.debrief.analyser import analyse
    from trainer.debrief.detector import default_detector, long_enough

    det = default_detector()
    items = td.load_items()
    _, X = td.features(items)
    truth = np.array([it["controlling"] for it in items])
    lex = np.array([analyse(it["text"]).controlling for it in items])
    long = np.array([long_enough(it["text"]) for it in items])
    p = td.stacked_scores(det.stack, td.grouped_cv(items, X), lex, long)
    both = td.combine(lex, p, long, det.veto, float(det.thresholds[0]))
    writers = np.array([td.writer_group(it["group"]) for it in items])
    out = {}
    for name, mask in (("writers", writers), ("all", np.ones(len(items), bool))):
        out[f"grouped CV ({name}) lexicon only"] = _pr(truth[mask], lex[mask])
        out[f"grouped CV ({name}) lexicon+model"] = _pr(truth[mask], both[mask])
    out["grouped CV right lexicon flags the veto drops"] = f"{int((lex & truth & ~both).sum())}/{int((lex & truth).sum())}"
    return out


def bench(cv: bool = True) -> dict:
    import yaml

    from train_detector import EVAL

    from trainer.debrief.analyser import analyse
    from trainer.debrief.detector import verdict, warm

    t = time.perf_counter()
    warm()
    out: dict = {"model_load_s": round(time.perf_counter() - t, 2)}
    if cv:
        out.update(grouped_cv())
    ev = yaml.safe_load(EVAL.read_text(encoding="utf-8"))["items"]
    sets = {"holdout6": [it for it in ev if it.get("split") == "holdout6"]}
    sets.update({name: load_holdout(folder) for name, folder in HOLDOUTS.items()})
    for name, items in sets.items():
        if not items:
            out[name] = "not present"
            continue
        truth = [bool(it["controlling"]) for it in items]
        out[f"{name} lexicon only"] = _pr(truth, [analyse(it["text"]).controlling for it in items])
        out[f"{name} lexicon+model"] = _pr(truth, [verdict(it["text"]).controlling for it in items])
        if name == "holdout7":
            out["holdout7 note"] = "in-sample now (trained on, lexicon fixed on it); " + HOLDOUT7_BEFORE
        if name == "holdout8":
            out["holdout8 note"] = "in-sample now (trained on); " + HOLDOUT8_BEFORE
        if name == "holdout9":
            out["holdout9 note"] = "in-sample now (trained on); " + HOLDOUT9_BEFORE
        if name == "holdout10":  # writers sometimes write a short line someone already wrote ("Maandag begint u.")
            import train_detector as td

            seen = {it["text"].strip().lower() for it in td.load_items()}
            fresh = [it for it in items if str(it["text"]).strip().lower() not in seen]
            truth = [bool(it["controlling"]) for it in fresh]
            key = f"holdout10 without its {len(items) - len(fresh)} lines also in the training data"
            out[f"{key}: lexicon only"] = _pr(truth, [analyse(it["text"]).controlling for it in fresh])
            out[f"{key}: lexicon+model"] = _pr(truth, [verdict(it["text"]).controlling for it in fresh])
    ctrl_study = [it for it in ev if it.get("study") and it["controlling"]]
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
    for key, value in bench(cv="--no-cv" not in sys.argv[1:]).items():
        print(f"{key:<52} {value}")
