"""Dutch-aware normalisation for free-text matching: folding, tokens, stems and the features the matcher compares.

A typed line and an authored choice are compared in three feature spaces (trainer.freetext.matcher weighs them):

- words: Snowball (Dutch) stems of the words and pairs of adjacent stems, after folding case and accents. Only
  filler words are dropped (a full stop list was measured and made matching worse; IDF already discounts common
  words). Negations (niet, geen, nooit, niets/niks, nergens, niemand) are kept and also glued to the next word
  ("niet nodig" -> `_niet_nood`), because "een cursus is niet nodig" and "een cursus is nodig" are opposite
  intents. Pronouns are folded into three person tokens (`~_2p` for u/je/jij/uw/jouw, `~_1p` for ik/mij/me/mijn,
  `~_wij` for we/wij/ons/onze), so u and je match each other while "ik regel het" and "u regelt het" stay apart.
  Common function words and the person tokens are marked with `~`: the matcher caps their IDF, which a persona
  with few choices cannot estimate from its own text.
- characters: 3- to 5-grams of the folded words (with word boundaries), which absorb typos, compounds
  ("werkervaring" vs "ervaring") and inflections the stemmer misses ("gecontroleerd" vs "controleren").
- analysis: the categories and MI-code guesses of the controlling-language analyser (trainer.debrief.analyser),
  so two lines that both put an obligation or both ask a question look alike even when they share no words.

Everything here is pure and cached per string.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from functools import lru_cache

import snowballstemmer

_STEMMER = snowballstemmer.stemmer("dutch")

SECOND = frozenset("u je jij jou jouw uw uzelf jezelf jullie".split())
FIRST = frozenset("ik mij me mijn mn mezelf mijzelf".split())
WE = frozenset("we wij ons onze".split())
NEGATIONS = {"niet": "niet", "geen": "geen", "nooit": "nooit", "niets": "niets", "niks": "niets",
             "nergens": "nergens", "niemand": "niemand"}

# Filler words only. A full Dutch stop list was measured and hurt: with IDF weighting the common words already
# count little, and short function words carry intent here ("moet", "waarom", "toch", "wel", "gaat": "u moet"
# is an obligation, "waarom gaat u toch" a question about motives). See scripts/bench_freetext.py.
STOP = frozenset("eh ehm uh uhm hm hmm nou hoor he hè zeg ok oke oké".split())

# The most common Dutch function words. They stay in (they carry intent, see above), but a persona with few choices
# cannot tell from its own text that they are common, so the matcher caps their weight as if they occurred in a
# good share of any persona's choices (matcher._Space). (Leaving them out of the character features cost 5 points.)
COMMON = frozenset("""
de het een der des den t en of maar want dus toch wel nog al ook even eens zo dan toen nu hier daar er
van in op aan met voor naar om bij uit over tot door te ten ter als dat die dit deze wat welk welke wie waar
is ben bent zijn was waren wordt worden werd geweest heb hebt heeft hebben had hadden zal zult zullen zou zouden
kan kun kunt kunnen kon mag mogen moet moeten wil wilt willen ga gaat gaan doe doet doen
hij zij ze zich hem haar hun hen zelf ja nee eigenlijk gewoon echt heel erg best zeker misschien
hoe waarom wanneer
""".split())
COMMON_MARK = "~"  # prefix of a word feature built from common words only

_TOKEN = re.compile(r"[a-z0-9]+")


def _fold_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for cp in range(0xC0, 0x250):
        base = "".join(c for c in unicodedata.normalize("NFD", chr(cp)) if not unicodedata.combining(c))
        if base and base != chr(cp):
            table[cp] = base
    for cp in (0x2018, 0x2019, 0x201A, 0x2032, 0x02BC, 0x60, 0x27):
        table[cp] = ""  # apostrophes inside words: zo'n -> zon, m'n -> mn
    return table


_FOLD = _fold_table()


@lru_cache(maxsize=16384)
def fold(text: str) -> str:
    """Lower-case, accent-free text (é -> e, ë -> e); apostrophes removed."""
    text = unicodedata.normalize("NFC", text)
    return text.translate(_FOLD).lower()


@lru_cache(maxsize=16384)
def words(text: str) -> tuple[str, ...]:
    """Folded word tokens."""
    return tuple(_TOKEN.findall(fold(text)))


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    return _STEMMER.stemWord(word)


def _mark(word: str) -> str | None:
    """The person/negation token for a word, or None for an ordinary word."""
    if word in SECOND:
        return COMMON_MARK + "_2p"
    if word in FIRST:
        return COMMON_MARK + "_1p"
    if word in WE:
        return COMMON_MARK + "_wij"
    neg = NEGATIONS.get(word)
    return f"_{neg}" if neg else None


@lru_cache(maxsize=16384)
def content_stems(text: str) -> tuple[str, ...]:
    """The stems (and person/negation tokens) the word features are built from, in order."""
    out: list[str] = []
    for w in words(text):
        mark = _mark(w)
        if mark is not None:
            out.append(mark)
        elif w in COMMON:
            out.append(COMMON_MARK + w)
        elif w not in STOP and (len(w) > 1 or w.isdigit()):
            out.append(stem(w))
    return tuple(out)


@lru_cache(maxsize=16384)
def word_features(text: str) -> dict[str, int]:
    """Counts of stems, person/negation tokens, adjacent stem pairs and negation+next-word pairs."""
    seq = content_stems(text)
    counts: Counter = Counter(seq)
    for a, b in zip(seq, seq[1:]):
        counts[f"{a}+{b}"] += 1
    for i, tok in enumerate(seq):
        if tok in ("_niet", "_geen", "_nooit"):
            nxt = next((t for t in seq[i + 1:i + 3] if not t.startswith(("_", COMMON_MARK))), None)  # "niet u ..."
            if nxt is not None:
                counts[f"{tok}_{nxt}"] += 1
    return dict(counts)


@lru_cache(maxsize=16384)
def analysis_features(text: str) -> dict[str, int]:
    """What the controlling-language analyser finds, as features: `cat:<category>` for every category and
    `code:<MI code>` for every code guess. They bridge paraphrases that share no words ("u dient te kiezen" and
    "dat moet u toch doen" are both `cat:obligation`)."""
    try:
        from trainer.debrief.analyser import analyse
    except ImportError:  # pragma: no cover - the analyser is part of every build that plays
        return {}
    a = analyse(text)
    out = {f"cat:{c}": 1 for c in a.categories}
    out.update({f"code:{c}": 1 for c in a.codes})
    return out


@lru_cache(maxsize=16384)
def char_features(text: str, lo: int = 3, hi: int = 5) -> dict[str, int]:
    """Counts of character n-grams (lo..hi) of each folded word, padded with spaces; stop words left out."""
    counts: Counter = Counter()
    for w in words(text):
        if w in STOP:
            continue
        if _mark(w) is not None:
            continue  # pronouns and negations are word-feature tokens; as n-grams u and je would look different
        padded = f" {w} "
        n_max = min(hi, len(padded))
        for n in range(lo, n_max + 1):
            for i in range(len(padded) - n + 1):
                counts[padded[i:i + n]] += 1
        if len(padded) < lo:
            counts[padded] += 1
    return dict(counts)


def sentences(text: str) -> list[str]:
    """Split an authored text into sentences (for matching a short typed line against one part of a long choice)."""
    parts = re.split(r"(?<=[.!?])\s+|\s*[;:—]\s+", text.strip())
    return [p for p in (s.strip() for s in parts) if p]


def pattern_matches(pattern: str, text: str) -> bool:
    """A cue pattern matches when its words begin consecutive words of the text ("afmaak" matches "afmaakt",
    "jaren dertig" matches "in de jaren dertig", "loopt niet weg" matches "u loopt niet weg"). Case, accents and
    apostrophes are ignored."""
    pw = words(pattern)
    if not pw:
        return False
    tw = words(text)
    n = len(pw)
    for i in range(len(tw) - n + 1):
        if all(tw[i + k].startswith(pw[k]) for k in range(n)):
            return True
    return False
