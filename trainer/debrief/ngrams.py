"""Word and character n-grams of a line, and a linear model over their TF-IDF weights (numpy only).

The detector's third source beside the lexicon and the sentence vector: the sentence vector hears what a line
means but blurs its exact wording ("u moet" and "u hoeft niet" sit close); n-grams keep the wording. The same
functions make the features when scripts/train_detector.py trains and when the detector scores a line, so the two
cannot drift apart.

    word_ngrams(text)  -> ["ik", "heb", "u", "ik heb", "heb u", "ik heb u", ...]   words 1-3, lower case
    char_ngrams(text)  -> [" ik", " ik ", ...]                                     2-5 characters inside each word
    NgramModel(vocab, idf, coef, bias).score(text) -> probability
"""

from __future__ import annotations

import math
import re
from collections import Counter

_WORD = re.compile(r"\w+")
WORD_SIZES = (1, 2, 3)
CHAR_SIZES = (2, 3, 4, 5)


def word_ngrams(text: str) -> list[str]:
    words = _WORD.findall(text.lower())
    return [" ".join(words[i:i + n]) for n in WORD_SIZES for i in range(len(words) - n + 1)]


def char_ngrams(text: str) -> list[str]:
    """Character n-grams within word boundaries (each word padded with one space on both sides)."""
    out = []
    for word in text.lower().split():
        padded = f" {word} "
        out += [padded[i:i + n] for n in CHAR_SIZES for i in range(len(padded) - n + 1)]
    return out


def tfidf(grams: list[str], index: dict[str, int], idf) -> dict[int, float]:
    """Sublinear term frequency times idf, L2-normalised, over the grams in the vocabulary: {column: weight}."""
    counts = Counter(g for g in grams if g in index)
    weights = {index[g]: (1.0 + math.log(c)) * float(idf[index[g]]) for g, c in counts.items()}
    norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
    return {k: w / norm for k, w in weights.items()}


class NgramModel:
    """A logistic regression over the TF-IDF weights of one kind of n-gram."""

    def __init__(self, kind: str, vocab, idf, coef, bias: float):
        self.grams = word_ngrams if kind == "word" else char_ngrams
        self.index = {str(g): i for i, g in enumerate(vocab)}
        self.idf, self.coef, self.bias = idf, coef, float(bias)

    def score(self, text: str) -> float:
        z = self.bias + sum(w * float(self.coef[k]) for k, w in tfidf(self.grams(text), self.index, self.idf).items())
        return 1.0 / (1.0 + math.exp(-z))
