#!/usr/bin/env python3
"""Train the act classifier (trainer/freetext/acts_model.npz) from the labelled corpus. Reproducible.

    scripts/train_acts.py            train on the train split, print dev accuracy, then write the final model
                                     (trained on train + dev with the chosen C)
    scripts/train_acts.py --dev      only report dev accuracy per C (no file written)

Data: tests/data/corpus/*.yaml (the writers' files, byte-identical to main) and tests/data/acts_extra.yaml (our own
corrections and additions, same format). Dev split: a line is dev when blake2b(text) mod 5 == 0 (20 %,
deterministic, independent of file order). The holdout (tests/data/corpus_holdout/) is never read here.
Needs scikit-learn (the `test` extra); the model written is plain numpy arrays.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from trainer.vocab import ACTS  # noqa: E402

CORPUS = ROOT / "tests" / "data" / "corpus"
EXTRA = ROOT / "tests" / "data" / "acts_extra.yaml"
OUT = ROOT / "trainer" / "freetext" / "acts_model.npz"
C_GRID = (0.5, 1.0, 2.0, 4.0, 8.0, 16.0)


def load_items(paths) -> list[dict]:
    items = []
    for path in paths:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
        for it in data.get("items") or []:
            if isinstance(it, dict) and it.get("act") in ACTS and isinstance(it.get("text"), str):
                items.append(it)
    return items


def corpus_items() -> list[dict]:
    paths = sorted(CORPUS.glob("*.yaml")) + ([EXTRA] if EXTRA.is_file() else [])
    seen, out = set(), []
    for it in load_items(paths):
        if it["text"] not in seen:  # a line written twice counts once (and never in both splits)
            seen.add(it["text"])
            out.append(it)
    return out


def is_dev(text: str) -> bool:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest()[0] % 5 == 0


def embed(texts: list[str]) -> np.ndarray:
    from trainer.semantic.encoder import default_encoder

    enc = default_encoder()
    x = enc.vectors(texts)
    enc.save()
    return x


def fit(x, y, c: float):
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=c, max_iter=3000, class_weight="balanced").fit(x, y)


def main(argv: list[str]) -> int:
    items = corpus_items()
    texts = [it["text"] for it in items]
    y = np.array([ACTS.index(it["act"]) for it in items])
    x = embed(texts)
    dev = np.array([is_dev(t) for t in texts])
    print(f"{len(items)} lines ({(~dev).sum()} train, {dev.sum()} dev)")
    best = None
    for c in C_GRID:
        acc = float((fit(x[~dev], y[~dev], c).predict(x[dev]) == y[dev]).mean())
        print(f"  C={c:<5} dev accuracy {acc:.3f}")
        if best is None or acc > best[1]:
            best = (c, acc)
    print(f"chosen C={best[0]} (dev {best[1]:.3f})")
    if "--dev" in argv:
        return 0
    model = fit(x, y, best[0])
    from trainer.semantic.encoder import model_version

    weights = np.zeros((len(ACTS), x.shape[1]), np.float32)
    bias = np.full(len(ACTS), -30.0, np.float32)  # an act with no training line is never predicted
    for row, cls in enumerate(model.classes_):
        weights[cls] = model.coef_[row]
        bias[cls] = model.intercept_[row]
    np.savez_compressed(OUT, weights=weights, bias=bias, acts=np.array(ACTS), encoder=np.array(model_version()),
                        c=np.array(best[0]), lines=np.array(len(items)))
    print(f"wrote {OUT.relative_to(ROOT)} ({OUT.stat().st_size // 1024} KiB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
