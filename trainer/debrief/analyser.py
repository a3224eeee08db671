"""Controlling-language detector for client-manager lines (Dutch first, English too).

The study behind the trainer (Kampen, "Verplicht vrijwilligerswerk"; TSV round table) found that *how* a client
manager puts an obligation matters more than the obligation itself: "u dient te verschijnen", "ik controleer
over een jaar", an activity picked for the client, feelings waved away. This module finds such language in one
utterance, and also recognises autonomy-supportive language, so the engine can move the persona's meters and
the debrief can explain what happened.

API
---
    analyse(text, lang=None, *, ui_lang="nl", lexicon=None) -> Analysis
        lang: "nl", "en" or None (auto: Dutch unless the line is clearly English).
        ui_lang: language of the explanation/suggestion texts in the flags ("nl" default, or "en"); the
            utterance's own language does not change it, because it is the trainer's UI language.
        lexicon: a Lexicon from load_lexicon(); None = default_lexicon() (built-in + $GESPREKSTRAINER_LEXICON).
        Results are cached per (text, lang, ui_lang, lexicon).
    Analysis(text, lang, controlling, flags, supportive, codes); .categories = frozenset of all categories
    Flag(category, start, end, rule, severity, explanation, suggestion)  -- start/end index the original text
    Hit(category, start, end, rule)
    to_json(analysis) -> {"text", "controlling", "flags": [...], "supportive": [...], "codes"}
    load_lexicon(paths=(), *, env=True) -> Lexicon   built-in file, then $GESPREKSTRAINER_LEXICON
        (os.pathsep-separated), then `paths`; raises LexiconError (a one-line message naming file and
        problem) for any broken file.
    default_lexicon() -> Lexicon   cached; default_lexicon.cache_clear() re-reads the environment.
    LexiconError                   raised by load_lexicon()/default_lexicon(); callers print str(exc), no traceback.

Lexicon files (YAML; see lexicon.yaml for the full built-in set)
----------------------------------------------------------------
Files are untrusted: they are read with PyYAML's safe loader only (its C version when available, which is what
yaml.safe_load does, 8x faster), validated field by field, and raw regexes are compiled before use.

    format: 1
    categories:                  # per-category defaults, used when a rule leaves them out
      obligation: {severity: 2, explanation: {nl: ..., en: ...}, suggestion: {nl: ..., en: ...}}
    rules:
      - id: nl.obligation.u_dient          # unique; a later file with the same id replaces the rule
        category: obligation               # a CONTROLLING or SUPPORTIVE category from trainer/vocab.py
        lang: nl                           # nl | en | any
        pattern: "u|je dient"              # word pattern (below), a list of them, or `regex:` (raw)
        severity: 3                        # 1-3, controlling rules only
        explanation: {nl: ..., en: ...}    # or one string for both languages
        suggestion: {nl: ..., en: ...}     # an autonomy-supportive rephrasing
        code: complex_reflection           # optional MI code this rule suggests (a rule may have only a code)
        not_in_question: true              # optional: ignore the match inside a sentence ending in "?"
    exceptions:                  # idioms and negations: drop flags (or hits) whose span they overlap
      - id: nl.neg.niet_verplicht
        lang: nl
        pattern: "niet|geen ... verplicht*"
        categories: [obligation]           # optional; default: all controlling categories
    disable: [nl.pressure.haast]          # switch off rules/exceptions of earlier files by id

Word patterns: words separated by spaces, matched as whole words, case- and accent-insensitive.
`a|b` = one of these words (`|` in a bare word works per word); `(deze week|vandaag)` = one of these phrases;
`[woord]`, `[voor u|voor jou]` = optional word or phrase; `woord*` = any word starting with "woord";
`...` = up to six other words in between (within one sentence); `?` = a question mark.
`pattern` may also be a list of such patterns (any of them matches).
Raw `regex:` rules run on the lower-cased, accent-stripped text and may not use named groups or backreferences;
they must mind word boundaries themselves.

Speed: each rule knows a few trigger words (from its rarest required word; for a raw regex, from a stretch of plain
text that every match contains, read from the parsed regex), so a line only tries the rules whose triggers occur in
it; what each word of a line triggers is remembered; regexes are compiled on first use; results are cached. About
80k new short lines/s (30k/s for the longer eval lines) and over a million cached lines/s on one core
(scripts/bench_analyser.py); loading the built-in lexicon takes about 0.1 s.

Codes: a rough MI-code guess for free-text turns (question, reflections, affirm, emphasizing_autonomy,
seeking_collaboration, giving_information, persuade[_with_permission], confront), from the rules' categories and
codes plus the sentence form.
"""

from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property, lru_cache
from itertools import repeat
from pathlib import Path
from typing import Iterable

from trainer.debrief.lexicon_cache import (  # noqa: F401  (the word list's files: callers use them from here)
    BUILTIN_LEXICON, ENV_VAR, MAX_LEXICON_BYTES, AuthoredCategories, default_lexicon_files, env_lexicon_paths,
    write_json)
from trainer.vocab import CONTROLLING_CATEGORIES, MI_CODES, SUPPORTIVE_CATEGORIES

LANGS = ("nl", "en")
UI_LANGS = ("nl", "en")


class LexiconError(ValueError):
    """A lexicon file cannot be used. The message names the file and what is wrong; show it as is."""


@dataclass(frozen=True)
class Flag:
    category: str
    start: int
    end: int
    rule: str
    severity: int
    explanation: str
    suggestion: str
    source: str = "lexicon"  # "lexicon" (a word rule) or "model" (the meaning model, trainer/debrief/detector.py)
    score: float | None = None  # the model's score for this category (model flags only)
    example: str = ""  # model flags: the closest labelled example of the category, as an illustration


@dataclass(frozen=True)
class Hit:
    category: str
    start: int
    end: int
    rule: str


@dataclass(frozen=True)
class Analysis:
    text: str
    lang: str
    controlling: bool
    flags: tuple[Flag, ...]
    supportive: tuple[Hit, ...]
    codes: tuple[str, ...]
    model_score: float | None = None  # the meaning model's "controlling" score, when the detector ran

    @cached_property  # analyses are cached per line, so the engine asks the same object on every turn
    def categories(self) -> frozenset[str]:
        return frozenset(f.category for f in self.flags) | frozenset(h.category for h in self.supportive)


def to_json(analysis: Analysis) -> dict:
    return {
        "text": analysis.text,
        "controlling": analysis.controlling,
        "flags": [{"category": f.category, "start": f.start, "end": f.end, "rule": f.rule, "severity": f.severity,
                   "explanation": f.explanation, "suggestion": f.suggestion, "source": f.source,
                   **({"score": f.score, "example": f.example} if f.source == "model" else {})}
                  for f in analysis.flags],
        "supportive": [{"category": h.category, "start": h.start, "end": h.end, "rule": h.rule}
                       for h in analysis.supportive],
        "codes": list(analysis.codes),
        **({"model_score": analysis.model_score} if analysis.model_score is not None else {}),
    }


# --- text normalisation ------------------------------------------------------------------------------------------
# Accent folding keeps one character per character, so offsets into the folded text are offsets into the original
# (the fast path). Only decomposed accents or odd case mappings change the length; then we keep an index map.

def _fold_table() -> dict[int, str | None]:
    table: dict[int, str | None] = {}
    for cp in range(0xC0, 0x250):
        base = "".join(c for c in unicodedata.normalize("NFD", chr(cp)) if not unicodedata.combining(c))
        if len(base) == 1 and base != chr(cp):
            table[cp] = base
    table.update({0x130: "i", 0x2018: "'", 0x2019: "'", 0x201A: "'", 0x2032: "'", 0x02BC: "'", 0x60: "'",
                  0x201C: '"', 0x201D: '"', 0x201E: '"', 0x2026: "."})
    for cp in range(0x300, 0x370):  # combining accents (text in NFD form)
        table[cp] = None
    return table


_FOLD = _fold_table()


def _fold(text: str) -> tuple[str, list[int] | None]:
    """Lower-case, accent-free text, plus an index map to the original when the lengths differ."""
    if text.isascii() and "`" not in text:  # nothing to fold (the table's only ASCII entry is the backtick)
        return text.lower(), None
    norm = text.translate(_FOLD).lower()
    if len(norm) == len(text):
        return norm, None
    chars: list[str] = []
    index: list[int] = []
    for i, c in enumerate(text):
        for ch in c.translate(_FOLD).lower():
            chars.append(ch)
            index.append(i)
    index.append(len(text))
    return "".join(chars), index


# --- word patterns -------------------------------------------------------------------------------------------------

_SEP = r"[^\w.!?]+"          # between words: spaces, commas, quotes; never across a sentence end
_WORD = r"[\w']+"
_GAP = rf"(?:{_SEP}{_WORD}){{0,6}}"
_ID_RE = re.compile(r"^[A-Za-z0-9_.\-]+$")


def compile_words(pattern: str) -> str:
    """Translate a word pattern (see module docstring) into a regular expression for folded text."""
    return r"(?<!\w)" + _sequence(_fold(pattern)[0])


def _scan(text: str):
    """Yield the elements of a pattern: ("word", "a|b|(c d)"), ("opt", "a|b c"), ("gap", ...), ("q", "?")."""
    i = 0
    while i < len(text):
        ch = text[i]
        if ch.isspace():
            i += 1
            continue
        if ch in ")]":
            raise ValueError(f"unbalanced {ch!r}")
        if ch == "[":
            j = _closing(text, i)
            yield "opt", text[i + 1:j]
            i = j + 1
            continue
        j = i  # a token runs to a space outside parentheses, e.g. "bericht|(laten weten)"
        while j < len(text) and not text[j].isspace() and text[j] not in ")]":
            if text[j] == "[":
                raise ValueError(f"put [...] around a whole word or phrase, not inside {text[i:].split()[0]!r}")
            j = (_closing(text, j) if text[j] == "(" else j) + 1
        tok = text[i:j]
        i = j
        yield ("gap" if tok == "..." else "q" if tok == "?" else "word"), tok


def _sequence(text: str) -> str:
    """Regex for a sequence of words, groups, `...` and `?`, joined by word separators."""
    out, need_sep, gap = "", False, False
    for kind, tok in _scan(text):
        if kind == "gap":
            if not need_sep or gap:
                raise ValueError("'...' must stand between two words")
            gap = True
            continue
        if kind == "q":
            if not need_sep:
                raise ValueError("'?' cannot start a pattern")
            out, gap = out + (_GAP if gap else "") + r"\s*\?", False
            continue
        piece = _alternatives(tok, words=kind == "word")
        if gap:
            out, gap = out + _GAP, False
        if kind == "opt":
            out += f"(?:{_SEP}{piece})?" if need_sep else f"(?:{piece}{_SEP})?"
        else:
            out += _SEP + piece if need_sep else piece
            need_sep = True
    if gap:
        raise ValueError("'...' must stand between two words")
    if not need_sep:
        raise ValueError("the pattern needs at least one word that is not optional")
    return out


def _alternatives(text: str, words: bool = False) -> str:
    """`a|b|(two words)`: in a bare token each plain alternative is one word; in a group, a phrase."""
    parts = []
    for alt in _split_alternatives(text):
        alt = alt.strip()
        if not alt:
            raise ValueError(f"empty alternative in {text!r}")
        if not words:
            parts.append(_sequence(alt))
        elif alt.startswith("(") and _closing(alt, 0) == len(alt) - 1:
            parts.append(_alternatives(alt[1:-1]))
        elif alt == "*" or any(c in alt for c in "()[]"):
            raise ValueError(f"bad word {alt!r} (write a|b, word*, [word] or (two words|other))")
        else:
            parts.append(re.escape(alt[:-1]) + r"\w*" if alt.endswith("*") else re.escape(alt) + r"(?!\w)")
    return "(?:" + "|".join(parts) + ")"


def _closing(text: str, i: int) -> int:
    depth = 0
    for j in range(i, len(text)):
        if text[j] in "([":
            depth += 1
        elif text[j] in ")]":
            depth -= 1
            if depth == 0:
                if (text[i], text[j]) not in (("(", ")"), ("[", "]")):
                    raise ValueError(f"{text[i]!r} closed by {text[j]!r}")
                return j
    raise ValueError(f"unclosed {text[i]!r}")


def _split_alternatives(text: str) -> list[str]:
    """Split on '|' outside nested groups: inside a group, '|' separates phrases."""
    parts, depth, last = [], 0, 0
    for j, ch in enumerate(text):
        depth += 1 if ch in "([" else -1 if ch in ")]" else 0
        if ch == "|" and depth == 0:
            parts.append(text[last:j])
            last = j + 1
    return parts + [text[last:]]


def _triggers(text: str) -> frozenset[str] | None:
    """Words of which one must occur in the text for the pattern to match ("word*" = a prefix), picked from
    the rarest required element; None if unknown. Lets analyse() skip most rules with one set lookup."""
    best = None
    for kind, tok in _scan(text):
        if kind == "word":
            words = _token_triggers(tok)
            if words and (best is None or _rarity(words) < _rarity(best)):
                best = words
    return best


def _token_triggers(tok: str) -> frozenset[str] | None:
    out: set[str] = set()
    for alt in _split_alternatives(tok):
        if alt.startswith("("):
            for phrase in _split_alternatives(alt[1:-1]):
                sub = _triggers(phrase)
                if not sub:
                    return None
                out |= sub
            continue
        prefix = alt.endswith("*")
        parts = re.findall(r"\w+", alt[:-1] if prefix else alt)
        if not parts:
            return None
        word = max(parts, key=len)  # each part stands alone as a \w+ run of the text...
        out.add(word + "*" if prefix and word == parts[-1] else word)  # ...except a prefix at the end
    return frozenset(out)


def _rarity(words: frozenset[str]) -> tuple:
    return sum(w.rstrip("*") in _COMMON for w in words), len(words), -min(map(len, words))


# Raw regexes have no word patterns to take trigger words from, so without help every line would try them all.
# _regex_triggers() reads the parsed regex instead: it finds a stretch that every match must contain as plain text
# ("doe[tn] er" -> "doet er" or "doen er") and turns each such string into a key on one word of the line: a whole
# word ("er"), a word's start ("word*"), end ("*word") or any part of it ("*word*"), depending on what the regex
# guarantees around that word. A line none of whose words fits a key cannot match, and the rule is skipped.

try:
    import re._constants as _sre_const
    import re._parser as _sre_parse  # Python 3.11+
except ImportError:  # pragma: no cover - older Pythons
    import sre_constants as _sre_const  # type: ignore[no-redef]
    import sre_parse as _sre_parse  # type: ignore[no-redef]

_MAX_NEEDLES = 64
_WORD_CHAR = re.compile(r"\w")
_Needle = tuple  # (text, nothing-or-a-non-word-character-before, ...-after)


def _regex_triggers(regex: str) -> frozenset[str] | None:
    """Trigger keys (see _Index) of which every match of `regex` satisfies one, or None (always try the rule)."""
    try:
        parsed = _sre_parse.parse(regex)
    except Exception:  # noqa: BLE001 - the rule's own compile reports a broken regex
        return None
    best = _seq_needles(list(parsed), False, False)
    return frozenset(_needle_key(n) for n in best) if best else None


def _needle_key(needle: _Needle) -> str:
    """The most selective key one needle gives: its words are whole where bounded on both sides."""
    text, before, after = needle
    best, rank = "", -1
    for m in re.finditer(r"\w+", text):
        left = m.start() > 0 or before
        right = m.end() < len(text) or after
        word = m.group()
        key, r = ((word, 3) if left and right else (word + "*", 2) if left else ("*" + word, 1) if right
                  else ("*" + word + "*", 0))
        if (r, len(word)) > (rank, len(best.strip("*"))):
            best, rank = key, r
    return best


def _needles_ok(needles: set[_Needle] | None) -> bool:
    return bool(needles) and all(_WORD_CHAR.search(n[0]) for n in needles)


def _score(needles: set[_Needle]) -> tuple:
    keys = [_needle_key(n) for n in needles]
    return (-sum(k.startswith("*") for k in keys), min(len(k.strip("*")) for k in keys), -len(keys))


def _better(a: set[_Needle] | None, b: set[_Needle] | None) -> set[_Needle] | None:
    if not _needles_ok(b):
        return a if _needles_ok(a) else None
    if not _needles_ok(a):
        return b
    return a if _score(a) >= _score(b) else b


def _seq_needles(items: list, before: bool, after: bool) -> set[_Needle] | None:
    """Best needle set of a sequence: a run of items that each match one of a few fixed strings (their cross
    product), or a needle set of one group inside the sequence. `before`/`after`: the sequence is known to stand
    after/before a non-word character (or the text's edge)."""
    best, run, start = None, {""}, 0

    def close(end: int):
        if "" in run or not run:
            return None
        b = _nonword_before(items[start - 1]) if start else before
        a = _nonword_after(items[end]) if end < len(items) else after
        return {(s, b, a) for s in run}

    for k, (op, av) in enumerate(items):
        fixed = _fixed(op, av)
        if fixed is not None and len(run) * len(fixed) <= _MAX_NEEDLES:
            run = {x + y for x in run for y in fixed}
            continue
        best = _better(best, close(k))
        if fixed is None:
            run, start = {""}, k + 1
            b = _nonword_before(items[k - 1]) if k else before
            a = _nonword_after(items[k + 1]) if k + 1 < len(items) else after
            best = _better(best, _item_needles(op, av, b, a))
        else:
            run, start = set(fixed), k
    return _better(best, close(len(items)))


def _item_needles(op, av, before: bool, after: bool) -> set[_Needle] | None:
    """Needles of one non-fixed item: a group, an alternation of needle-able branches, a repeat done at least once."""
    if op is _sre_const.SUBPATTERN:
        _group, add_flags, _del_flags, sub = av
        return None if add_flags & _sre_const.SRE_FLAG_IGNORECASE else _seq_needles(list(sub), before, after)
    if op is _sre_const.BRANCH:
        out: set[_Needle] = set()
        for branch in av[1]:
            got = _seq_needles(list(branch), before, after)
            if not _needles_ok(got):
                return None
            out |= got
        return out if len(out) <= _MAX_NEEDLES else None
    if op in (_sre_const.MAX_REPEAT, _sre_const.MIN_REPEAT) and av[0] >= 1:
        return _seq_needles(list(av[2]), False, False)
    return None


def _fixed(op, av) -> set[str] | None:
    """The strings one item can match when there are only a few of them (a literal, a small class, a group or
    alternation of such), else None."""
    if op is _sre_const.LITERAL:
        return {chr(av)}
    if op is _sre_const.IN:
        if any(o is not _sre_const.LITERAL for o, _ in av):
            return None
        return {chr(v) for _, v in av}
    if op is _sre_const.SUBPATTERN:
        _group, add_flags, _del_flags, sub = av
        return None if add_flags & _sre_const.SRE_FLAG_IGNORECASE else _fixed_seq(list(sub))
    if op is _sre_const.BRANCH:
        out: set[str] = set()
        for branch in av[1]:
            got = _fixed_seq(list(branch))
            if got is None:
                return None
            out |= got
        return out if len(out) <= _MAX_NEEDLES else None
    return None


def _fixed_seq(items: list) -> set[str] | None:
    run = {""}
    for op, av in items:
        fixed = _fixed(op, av)
        if fixed is None or len(run) * len(fixed) > _MAX_NEEDLES:
            return None
        run = {x + y for x in run for y in fixed}
    return run


def _nonword_char(op, av) -> bool:
    """The item consumes exactly one character, never a word character."""
    if op is _sre_const.LITERAL:
        return not _WORD_CHAR.match(chr(av))
    if op is _sre_const.IN:
        return all((o is _sre_const.LITERAL and not _WORD_CHAR.match(chr(v)))
                   or (o is _sre_const.CATEGORY and v in (_sre_const.CATEGORY_SPACE, _sre_const.CATEGORY_NOT_WORD))
                   for o, v in av)
    return False


def _nonword_before(item) -> bool:
    """After this item, the previous character of the text is not a word character (or there is none)."""
    op, av = item
    if _nonword_char(op, av):
        return True
    if op is _sre_const.AT:
        return av in (_sre_const.AT_BEGINNING, _sre_const.AT_BEGINNING_STRING, _sre_const.AT_BOUNDARY)
    if op is _sre_const.ASSERT_NOT and av[0] < 0:  # (?<!\w)
        sub = list(av[1])
        return len(sub) == 1 and sub[0][0] is _sre_const.IN and list(sub[0][1]) == [
            (_sre_const.CATEGORY, _sre_const.CATEGORY_WORD)]
    if op is _sre_const.ASSERT and av[0] < 0:  # (?<=... ) ending in a non-word character
        sub = list(av[1])
        return bool(sub) and _nonword_before(sub[-1])
    if op is _sre_const.SUBPATTERN:
        sub = list(av[3])
        return bool(sub) and _nonword_before(sub[-1])
    if op is _sre_const.BRANCH:
        return all(list(b) and _nonword_before(list(b)[-1]) for b in av[1])
    return False


def _nonword_after(item) -> bool:
    """Before this item, the next character of the text is not a word character (or there is none)."""
    op, av = item
    if _nonword_char(op, av):
        return True
    if op is _sre_const.AT:
        return av in (_sre_const.AT_END, _sre_const.AT_END_STRING, _sre_const.AT_BOUNDARY)
    if op is _sre_const.ASSERT_NOT and av[0] > 0:  # (?!\w)
        sub = list(av[1])
        return len(sub) == 1 and sub[0][0] is _sre_const.IN and list(sub[0][1]) == [
            (_sre_const.CATEGORY, _sre_const.CATEGORY_WORD)]
    if op is _sre_const.ASSERT and av[0] > 0:  # (?=\s*[.,;]|$)
        return _starts_nonword(list(av[1]))
    if op is _sre_const.SUBPATTERN:
        return _starts_nonword(list(av[3]))
    if op is _sre_const.BRANCH:
        return all(_starts_nonword(list(b)) for b in av[1])
    return False


def _starts_nonword(items: list) -> bool:
    for op, av in items:
        if _nonword_char(op, av) or (op is _sre_const.AT and av in (_sre_const.AT_END, _sre_const.AT_END_STRING)):
            return True
        if op in (_sre_const.MAX_REPEAT, _sre_const.MIN_REPEAT) and all(_nonword_char(o, v) for o, v in av[2]):
            if av[0] >= 1:
                return True
            continue  # may match nothing: look at what follows
        if op in (_sre_const.SUBPATTERN, _sre_const.BRANCH):
            return _nonword_after((op, av))
        return False
    return False


# --- the lexicon ---------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Rule:
    id: str
    lang: str                     # nl | en | any
    regex: str
    triggers: frozenset[str] | None = None          # see _triggers(); None = always try
    word_start: bool = False                        # must start at a word (checked here: faster than in the regex)
    category: str | None = None
    code: str | None = None
    severity: int = 0
    explanation: tuple[tuple[str, str], ...] = ()   # ((lang, text), ...)
    suggestion: tuple[tuple[str, str], ...] = ()
    not_in_question: bool = False
    exception_for: frozenset[str] = frozenset()     # set for exceptions only

    def text(self, field: str, ui_lang: str) -> str:
        texts = dict(getattr(self, field))
        return texts.get(ui_lang) or texts.get("nl") or texts.get("en") or ""

    def find(self, norm: str, m: re.Match | None = None):
        """(start, end) of every match, also overlapping ones that start at later words. `m`: the first match of
        the regex in `norm`, when the caller has it already."""
        rx = _RX.get(self.regex) or _RX.setdefault(self.regex, re.compile(self.regex))  # compiled on first use
        if m is None:
            m = rx.search(norm)
        while m is not None:
            start = m.start()
            if not (self.word_start and start and (norm[start - 1].isalnum() or norm[start - 1] == "_")):
                yield start, m.end()
            m = rx.search(norm, start + 1)


_RX: dict[str, re.Pattern] = {}


class _Index:
    """The rules of one language, findable by trigger key: a whole word ("word"), a word's start ("word*"), its end
    ("*word") or any part of it ("*word*"). What a word of a line triggers is remembered (bounded)."""

    def __init__(self, rules: list[Rule]):
        self.rules = rules
        self.always: list[int] = []
        self.exact: dict[str, list[int]] = {}
        self.prefix: dict[str, list[int]] = {}
        self.suffix: dict[str, list[int]] = {}
        self.infix: dict[str, list[int]] = {}
        for i, r in enumerate(rules):
            if r.triggers is None:
                self.always.append(i)
            for w in r.triggers or ():
                if w.startswith("*") and w.endswith("*") and len(w) > 2:
                    self.infix.setdefault(w[1:-1], []).append(i)
                elif w.startswith("*"):
                    self.suffix.setdefault(w[1:], []).append(i)
                elif w.endswith("*"):
                    self.prefix.setdefault(w[:-1], []).append(i)
                else:
                    self.exact.setdefault(w, []).append(i)
        self._longest = max(map(len, [*self.prefix, *self.suffix, ""]))
        self._firsts = frozenset(p[0] for p in self.prefix)   # a word can only start with a prefix key ...
        self._lasts = frozenset(p[-1] for p in self.suffix)   # ... that begins with its first letter
        self._words: dict[str, tuple[int, ...]] = {}

    def _rules_of(self, w: str) -> tuple[int, ...]:
        ids = list(self.exact.get(w, ()))
        if w[0] in self._firsts:
            for k in range(1, min(len(w), self._longest) + 1):
                ids += self.prefix.get(w[:k], ())
        if w[-1] in self._lasts:
            for k in range(1, min(len(w), self._longest) + 1):
                ids += self.suffix.get(w[-k:], ())
        for part, more in self.infix.items():
            if part in w:
                ids += more
        if len(self._words) >= 50_000:
            self._words.clear()
        out = self._words[w] = tuple(ids)
        return out

    def candidates(self, norm: str) -> list[Rule]:
        found = set(self.always) if self.always else set()
        memo = self._words
        for w in set(_TEXT_WORDS.findall(norm)):
            ids = memo.get(w)
            if ids is None:
                ids = self._rules_of(w)
            found.update(ids)
        return [self.rules[i] for i in sorted(found)]


_TEXT_WORDS = re.compile(r"\w+")


class Lexicon:
    """Validated rules. Build it with load_lexicon(); analyse() caches results per Lexicon object."""

    def __init__(self, rules: Iterable[Rule], exceptions: Iterable[Rule], sources: Iterable[str]):
        self.rules = tuple(rules)
        self.exceptions = tuple(exceptions)
        self.sources = tuple(sources)
        both = self.exceptions + self.rules
        self._index = {lang: _Index([r for r in both if r.lang in (lang, "any")]) for lang in LANGS}

    def __repr__(self) -> str:
        n_rules, n_exc = len({r.id for r in self.rules}), len({r.id for r in self.exceptions})
        return f"<Lexicon {n_rules} rules, {n_exc} exceptions from {len(self.sources)} files>"


_TOP_KEYS = {"format", "categories", "rules", "exceptions", "disable"}
_RULE_KEYS = {"id", "category", "code", "lang", "pattern", "regex", "severity", "explanation", "suggestion",
              "not_in_question", "note", "source"}
_EXC_KEYS = {"id", "lang", "pattern", "regex", "categories", "note", "source"}
_DEFAULT_KEYS = {"severity", "explanation", "suggestion"}
_ALL_CATEGORIES = CONTROLLING_CATEGORIES + SUPPORTIVE_CATEGORIES
def _read_yaml(path: str) -> object:
    import yaml  # only needed when a lexicon is loaded

    safe_loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # plain data only; the C version is 8x faster
    try:
        with open(path, "rb") as fh:
            raw = fh.read(MAX_LEXICON_BYTES + 1)
        if len(raw) > MAX_LEXICON_BYTES:
            raise LexiconError(f"{path}: the lexicon file is larger than {MAX_LEXICON_BYTES // 1024} KiB")
        text = raw.decode("utf-8-sig")
        # Lexicon files are untrusted like persona files: aliases could expand without bound, and a lexicon
        # has no use for them, so refuse them before anything is built.
        for event in yaml.parse(text, Loader=safe_loader):
            if isinstance(event, yaml.AliasEvent):
                mark = event.start_mark
                raise LexiconError(f"{path}: YAML aliases (*name) are not allowed in a lexicon file "
                                   f"(line {mark.line + 1}, column {mark.column + 1})")
        loader = safe_loader(text)
        try:
            return loader.get_single_data()
        finally:
            loader.dispose()
    except OSError as exc:
        raise LexiconError(f"{path}: cannot read the lexicon file: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise LexiconError(f"{path}: the lexicon file is not UTF-8 text") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise LexiconError(f"{path}: not valid YAML{where}: {problem}") from None


def _texts(value, where: str) -> tuple[tuple[str, str], ...]:
    if isinstance(value, str):
        return (("nl", value), ("en", value))
    if isinstance(value, dict) and value and all(k in UI_LANGS and isinstance(v, str) for k, v in value.items()):
        return tuple(sorted(value.items()))
    raise ValueError(f"{where} must be a text or a mapping like {{nl: ..., en: ...}}")


# --- lexicon safety: regexes that could backtrack without end ------------------------------------------------------
# Python's `re` backtracks and cannot be interrupted, so a trainer's `(a+)+$` would hang analyze, free-text play,
# debrief and every export on one unlucky line. Raw regexes are therefore checked when the lexicon loads, on the
# parsed pattern: no repeat inside a repeat when either is unbounded (nested quantifiers: `(a+)+`,
# `(?:\s*\w+\s*)*`), and no unbounded repeat over alternatives that can start with the same character (`(a|a)*`,
# `(\w|\d)+`). Typed lines are capped at MAX_TYPED_CHARS (trainer/safe_text.py), which bounds what remains
# (polynomial cases like `\w*\w*\w*x`). Word patterns are built from safe pieces and need no check.
MAX_REGEX_CHARS = 2000
_PROBE = "".join(map(chr, range(0x20, 0x7f))) + "\t\néëïöüáàèçßĳ"


def _regex_danger(rx: str) -> str | None:
    """Why `rx` could backtrack catastrophically, or None. Conservative: may refuse a few harmless patterns."""
    from re import _constants as C, _parser

    if len(rx) > MAX_REGEX_CHARS:
        return f"the regex is longer than {MAX_REGEX_CHARS} characters"
    repeats = (C.MAX_REPEAT, C.MIN_REPEAT, getattr(C, "POSSESSIVE_REPEAT", C.MAX_REPEAT))

    def in_class(ch: str, items) -> bool:
        hit, negate = False, False
        for op, av in items:
            if op is C.NEGATE:
                negate = True
            elif op is C.LITERAL:
                hit = hit or ord(ch) == av
            elif op is C.RANGE:
                hit = hit or av[0] <= ord(ch) <= av[1]
            elif op is C.CATEGORY:
                name = str(av).lower()
                test = {"digit": ch.isdigit(), "space": ch.isspace(), "word": ch.isalnum() or ch == "_"}
                kind = next((k for k in test if k in name), None)
                hit = hit or (kind is None or (test[kind] != ("not" in name)))
            else:
                hit = True
        return hit != negate

    def first(items) -> tuple[set[str], bool]:
        """(characters a match of the sequence can start with, whether it can match empty text)."""
        out: set[str] = set()
        for op, av in items:
            if op is C.LITERAL:
                return out | {chr(av)}, False
            if op is C.NOT_LITERAL:
                return out | {c for c in _PROBE if ord(c) != av}, False
            if op is C.ANY:
                return out | set(_PROBE), False
            if op is C.IN:
                return out | {c for c in _PROBE if in_class(c, av)}, False
            if op in (C.AT, C.ASSERT, C.ASSERT_NOT):
                continue
            if op is C.SUBPATTERN:
                chars, empty = first(av[-1])
            elif op in repeats:
                chars, empty = first(av[2])
                empty = empty or av[0] == 0
            elif op is C.BRANCH:
                parts = [first(alt) for alt in av[1]]
                chars, empty = set().union(*(p[0] for p in parts)), any(p[1] for p in parts)
            elif op is getattr(C, "ATOMIC_GROUP", None):
                chars, empty = first(av)
            else:
                return out | set(_PROBE), True  # unknown: assume anything
            out |= chars
            if not empty:
                return out, False
        return out, True

    def literal(items) -> str | None:
        return "".join(chr(av) for op, av in items) if all(op is C.LITERAL for op, av in items) else None

    def ambiguous(items, starts: set[str]) -> bool:
        """Inside an unbounded repeat that starts with `starts`: can a branch split the same text two ways?"""
        for op, av in items:
            if op is C.SUBPATTERN:
                if ambiguous(av[-1], starts):
                    return True
            elif op is C.BRANCH:
                alts = av[1]
                words = [literal(alt) for alt in alts]
                if None not in words and "" not in words and not any(
                        a != b and b.startswith(a) for a in words for b in words):
                    continue  # fixed words, none the start of another (`(?:toch |nou |nu )*`): one way only
                parts = [first(alt) for alt in alts]
                if sum(empty for _, empty in parts) > 1:
                    return True
                seen: set[str] = set()
                for chars, empty in parts:
                    if chars & seen:
                        return True
                    seen |= chars
                if any(empty for _, empty in parts) and any(chars & starts for chars, _ in parts):
                    return True  # a(?:|a) repeated: `aa` is one turn or two
                if any(ambiguous(alt, starts) for alt in alts):
                    return True
        return False

    def walk(items, outer: int) -> str | None:
        for op, av in items:
            if op in repeats:
                lo, hi, body = av
                if hi > 1 and outer > 1 and (hi == C.MAXREPEAT or outer == C.MAXREPEAT or hi * outer > 1000):
                    return "a repeat inside a repeat (like (a+)+) can take forever on some lines"
                if hi == C.MAXREPEAT:
                    starts, empty = first(body)
                    if empty:
                        return "a repeat of something that can be empty can take forever on some lines"
                    if ambiguous(body, starts):
                        return ("repeated alternatives that can match the same text (like (a|a)*) can take "
                                "forever on some lines")
                problem = walk(body, hi if outer <= 1 else (C.MAXREPEAT if C.MAXREPEAT in (hi, outer) else hi * outer)
                               if hi > 1 else outer)
            elif op is C.SUBPATTERN:
                problem = walk(av[-1], outer)
            elif op is C.BRANCH:
                problem = next((p for p in (walk(alt, outer) for alt in av[1]) if p), None)
            elif op in (C.ASSERT, C.ASSERT_NOT):
                problem = walk(av[1], outer)
            elif op is getattr(C, "ATOMIC_GROUP", None):
                problem = walk(av, outer)
            else:
                problem = None
            if problem:
                return problem
        return None

    try:
        return walk(_parser.parse(rx), 1)
    except (RecursionError, OverflowError):
        return "the regex is nested too deeply"


def _regex_of(entry: dict) -> list[tuple[str, frozenset[str] | None, bool]]:
    """(regex, triggers, word_start) for each pattern of the entry."""
    if ("pattern" in entry) == ("regex" in entry):
        raise ValueError("give exactly one of `pattern` (words) or `regex`")
    if "regex" in entry:
        rx = entry["regex"]
        if not isinstance(rx, str) or not rx.strip():
            raise ValueError("`regex` must be a non-empty text")
        if re.search(r"\(\?P[<=]|\\[1-9]|\(\?[aiLmsux-]+\)", rx):
            raise ValueError("`regex` may not use named groups, backreferences or global flags")
        try:
            re.compile(rx)
        except re.error as exc:
            raise ValueError(f"regular expression does not compile: {exc}") from None
        except (RecursionError, OverflowError):
            raise ValueError("regular expression is nested too deeply") from None
        danger = _regex_danger(rx)
        if danger:
            raise ValueError(f"regex refused: {danger}; write it without nested or overlapping repeats") from None
        return [(rx, _regex_triggers(rx), False)]
    pats = entry["pattern"]
    pats = [pats] if isinstance(pats, str) else pats
    if not isinstance(pats, list) or not pats or not all(isinstance(p, str) for p in pats):
        raise ValueError("`pattern` must be a text or a list of texts")
    out = []
    for pat in pats:
        try:
            folded = _fold(pat)[0]
            out.append((_sequence(folded), _triggers(folded), True))
        except ValueError as exc:
            raise ValueError(f"pattern {pat!r}: {exc}") from None
    return out


def _parse_file(path: str, data: object, defaults: dict) -> tuple[list[Rule], list[Rule], list[str]]:
    """Validate one file's contents; raise LexiconError naming the file and the spot."""
    if data is None:
        return [], [], []
    if not isinstance(data, dict):
        raise LexiconError(f"{path}: the lexicon must be a mapping with `rules:` and/or `exceptions:`")
    unknown = set(data) - _TOP_KEYS
    if unknown:
        raise LexiconError(f"{path}: unknown top-level key(s) {sorted(map(str, unknown))}; "
                           f"expected some of {sorted(_TOP_KEYS)}")
    if data.get("format", 1) != 1:
        raise LexiconError(f"{path}: unsupported format {data.get('format')!r} (this version reads format 1)")

    cats = data.get("categories") or {}
    if not isinstance(cats, dict):
        raise LexiconError(f"{path}: `categories` must be a mapping of category -> defaults")
    for cat, d in cats.items():
        where = f"{path}: categories.{cat}"
        if cat not in _ALL_CATEGORIES:
            raise LexiconError(f"{where}: unknown category (expected one of {', '.join(_ALL_CATEGORIES)})")
        if not isinstance(d, dict) or set(d) - _DEFAULT_KEYS:
            raise LexiconError(f"{where}: give a mapping with some of {sorted(_DEFAULT_KEYS)}")
        try:
            merged = dict(defaults.get(cat, {}))
            if "severity" in d:
                merged["severity"] = _severity(d["severity"])
            for key in ("explanation", "suggestion"):
                if key in d:
                    merged[key] = _texts(d[key], f"`{key}`")
        except ValueError as exc:
            raise LexiconError(f"{where}: {exc}") from None
        defaults[cat] = merged

    seen: set[str] = set()

    def entries(key: str, allowed: set[str]):
        items = data.get(key) or []
        if not isinstance(items, list):
            raise LexiconError(f"{path}: `{key}` must be a list")
        for i, entry in enumerate(items):
            rid = entry.get("id") if isinstance(entry, dict) else None
            where = f"{path}: {key}[{i}]" + (f" (id {rid!r})" if rid else "")
            if not isinstance(entry, dict):
                raise LexiconError(f"{where}: each entry must be a mapping")
            extra = set(entry) - allowed
            if extra:
                raise LexiconError(f"{where}: unknown key(s) {sorted(map(str, extra))}; allowed: {sorted(allowed)}")
            if not isinstance(rid, str) or not _ID_RE.match(rid):
                raise LexiconError(f"{where}: needs an `id` made of letters, digits, '.', '_' or '-'")
            if rid in seen:
                raise LexiconError(f"{where}: duplicate id {rid!r} in this file")
            seen.add(rid)
            lang = entry.get("lang")
            if lang not in (*LANGS, "any"):
                raise LexiconError(f"{where}: `lang` must be nl, en or any (got {lang!r})")
            yield where, rid, lang, entry

    rules = []
    for where, rid, lang, e in entries("rules", _RULE_KEYS):
        try:
            cat, code = e.get("category"), e.get("code")
            if cat is None and code is None:
                raise ValueError("give a `category` (or at least a `code`)")
            if cat is not None and cat not in _ALL_CATEGORIES:
                raise ValueError(f"unknown category {cat!r} (expected one of {', '.join(_ALL_CATEGORIES)})")
            if code is not None and code not in MI_CODES:
                raise ValueError(f"unknown code {code!r} (expected one of {', '.join(MI_CODES)})")
            if not isinstance(e.get("not_in_question", False), bool):
                raise ValueError("`not_in_question` must be true or false")
            variants = _regex_of(e)
            d = defaults.get(cat, {})
            kw = {}
            if cat in CONTROLLING_CATEGORIES:
                kw["severity"] = _severity(e["severity"]) if "severity" in e else d.get("severity", 2)
                for key in ("explanation", "suggestion"):
                    kw[key] = _texts(e[key], f"`{key}`") if key in e else d.get(key)
                    if not kw[key]:
                        raise ValueError(f"a controlling rule needs an `{key}` (here or under categories.{cat})")
            elif "severity" in e:
                raise ValueError("`severity` is only for controlling categories")
            rules += [Rule(rid, lang, rx, trig, start, cat, code, not_in_question=e.get("not_in_question", False), **kw)
                      for rx, trig, start in variants]
        except ValueError as exc:
            raise LexiconError(f"{where}: {exc}") from None

    exceptions = []
    for where, rid, lang, e in entries("exceptions", _EXC_KEYS):
        try:
            cats_for = e.get("categories", list(CONTROLLING_CATEGORIES))
            if not isinstance(cats_for, list) or not cats_for or any(c not in _ALL_CATEGORIES for c in cats_for):
                raise ValueError(f"`categories` must be a list of categories from: {', '.join(_ALL_CATEGORIES)}")
            exceptions += [Rule(rid, lang, *v, exception_for=frozenset(cats_for)) for v in _regex_of(e)]
        except ValueError as exc:
            raise LexiconError(f"{where}: {exc}") from None

    disable = data.get("disable") or []
    if not isinstance(disable, list) or not all(isinstance(x, str) for x in disable):
        raise LexiconError(f"{path}: `disable` must be a list of rule ids")
    return rules, exceptions, disable


def _severity(value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 3:
        raise ValueError(f"`severity` must be 1, 2 or 3 (got {value!r})")
    return value


def load_lexicon(paths: Iterable[str | os.PathLike] = (), *, env: bool = True) -> Lexicon:
    """The built-in lexicon, extended by the files in $GESPREKSTRAINER_LEXICON (if env) and then `paths`.
    A lexicon built before from the same file contents by the same analyser code is read from the user cache
    (_LexiconCache): every process that analyses (play, explore, report and its workers) saves the parse."""
    files = [*default_lexicon_files(env), *map(str, paths)]
    cache = _LexiconCache.of(files)
    cached = cache.read() if cache else None
    if cached is not None:
        return Lexicon(*cached, files)
    lexicon = _parse_lexicon(files)
    if cache:
        cache.write(lexicon)
    return lexicon


def _parse_lexicon(files: list[str]) -> Lexicon:
    # id -> the rule's variants (one per pattern); a later file's rule with the same id replaces them all
    rules: dict[str, list[Rule]] = {}
    exceptions: dict[str, list[Rule]] = {}
    defaults: dict[str, dict] = {}
    for path in files:
        new_rules, new_exc, disable = _parse_file(path, _read_yaml(path), defaults)
        for rid in disable:
            rules.pop(rid, None)
            exceptions.pop(rid, None)
        for target, new in ((rules, new_rules), (exceptions, new_exc)):
            fresh: dict[str, list[Rule]] = {}
            for r in new:
                fresh.setdefault(r.id, []).append(r)
            target.update(fresh)
    flat = lambda d: [r for variants in d.values() for r in variants]  # noqa: E731
    return Lexicon(flat(rules), flat(exceptions), files)


class _LexiconCache:
    """The validated rules of one list of lexicon files, as JSON in the user cache folder. The file name is a hash
    of the analyser's code and of every file's bytes, so an edited lexicon or a new version is parsed anew. A cache
    file that does not read back as exactly the expected shape is ignored (and rewritten), never trusted blindly;
    it is written atomically. No cache when the folder is off (GESPREKSTRAINER_CACHE=off) or a file is unreadable:
    then the normal parse runs and reports the problem."""

    FIELDS = ("id", "lang", "regex", "triggers", "word_start", "category", "code", "severity", "explanation",
              "suggestion", "not_in_question", "exception_for")

    def __init__(self, path: Path):
        self.path = path

    @classmethod
    def of(cls, files: list[str]) -> "_LexiconCache | None":
        from trainer.debrief.lexicon_cache import lexicon_cache_path

        path = lexicon_cache_path(files)
        return cls(path) if path else None

    def read(self) -> tuple[list[Rule], list[Rule]] | None:
        import json

        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            return [self._rule(r) for r in data["rules"]], [self._rule(r) for r in data["exceptions"]]
        except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError):
            return None

    def write(self, lexicon: Lexicon) -> None:
        write_json(self.path, {"rules": [self._row(r) for r in lexicon.rules],
                                "exceptions": [self._row(r) for r in lexicon.exceptions]})

    @classmethod
    def _row(cls, r: Rule) -> list:
        row = [getattr(r, f) for f in cls.FIELDS]
        row[3] = None if r.triggers is None else sorted(r.triggers)
        row[11] = sorted(r.exception_for)
        return row

    @classmethod
    def _rule(cls, row: list) -> Rule:
        if not isinstance(row, list) or len(row) != len(cls.FIELDS):
            raise ValueError("not a rule row")
        (rid, lang, regex, triggers, word_start, category, code, severity, explanation, suggestion,
         not_in_question, exception_for) = row
        texts = lambda v: tuple((str(a), str(b)) for a, b in v)  # noqa: E731
        if not (isinstance(rid, str) and isinstance(regex, str) and lang in (*LANGS, "any")
                and isinstance(severity, int) and isinstance(word_start, bool) and isinstance(not_in_question, bool)
                and (category is None or category in _ALL_CATEGORIES) and (code is None or code in MI_CODES)):
            raise ValueError("not a rule row")
        return Rule(rid, lang, regex, None if triggers is None else frozenset(map(str, triggers)), word_start,
                    category, code, severity, texts(explanation), texts(suggestion), not_in_question,
                    frozenset(map(str, exception_for)))


@lru_cache(maxsize=1)
def default_lexicon() -> Lexicon:
    return load_lexicon()


# --- analysis ------------------------------------------------------------------------------------------------------

_LANG_WORDS = re.compile(r"[a-z']+")
_SENT_END = re.compile(r"[.!?]")
# Function words that tell the languages apart; words both languages use ("is", "we", "me", "was") are left out.
_EN_WORDS = frozenset("""the you your you're yours yourself i i'm i'll i've i'd it it's to and a an are have has do does
    don't didn't can't won't what why how who where when which would could should will with for that this not no my
    be been can just about need there there's here here's if so from on up our they them let's going get got like
    think know feel sounds really very all only did whether by""".split())
_NL_WORDS = frozenset("""de het een je jij jou jouw u uw ik mij mijn m'n dat niet wat en van te zijn heb hebt heeft ben
    bent mag moet moeten kan kunt wil wilt hoe waarom ook maar dan nog wel met voor naar om er op als zo toch hoor
    even geen dit deze al zelf graag gewoon nou eens ja nee waar wie welke hier daar zou gaan gaat ga wij jullie ons
    onze bij uit aan tot heel kijken doen""".split())
_COMMON = _EN_WORDS | _NL_WORDS
_LANG_SCORE = {w: (w in _EN_WORDS) - (w in _NL_WORDS) for w in _COMMON}  # English minus Dutch, per word
_QUESTION_START = {
    "nl": re.compile(r"\s*(?:wat|waarom|hoe|wie|waar\w*|wanneer|welke?|hoezo|hoeveel|(?:kunt|kun|kan|wilt|wil|zou|"
                     r"zullen|zal|mag|heeft|hebt|heb|bent|ben|is|vindt|vind|denkt|weet|doet|doe|gaat|ga|hoort|voelt|"
                     r"klopt|herkent|snapt|begrijpt|ziet)\s+(?:u|je|jij|jullie|we|wij|ik|het|dat)\b)"),
    "en": re.compile(r"\s*(?:what|why|how|who|where|when|which|do|does|did|can|could|would|will|is|are|was|were|"
                     r"have|has|may|might|shall|should)\b"),
}
# MI-code guesses per category (a rule's own `code` wins).
_CATEGORY_CODE = {
    "choice": "emphasizing_autonomy", "affirming": "affirm", "reflecting": "simple_reflection",
    "rationale": "giving_information",
    "obligation": "persuade", "surveillance": "persuade", "sanction": "persuade", "deciding_for": "persuade",
    "pressure": "persuade", "blame": "confront", "dismissing_feelings": "confront", "erasing_past": "confront",
}


def detect_lang(text: str, _folded: str | None = None) -> str:
    """'en' when the line has more English than Dutch function words, else 'nl'."""
    words = _LANG_WORDS.findall(_folded if _folded is not None else _fold(text)[0])
    return "en" if sum(map(_LANG_SCORE.get, words, repeat(0, len(words)))) > 0 else "nl"


def analyse(text: str, lang: str | None = None, *, ui_lang: str = "nl", lexicon: Lexicon | None = None) -> Analysis:
    if not isinstance(text, str):
        raise TypeError(f"analyse() needs a str, got {type(text).__name__}")
    if lang not in (None, *LANGS):
        raise ValueError(f"lang must be None, 'nl' or 'en' (got {lang!r})")
    if ui_lang not in UI_LANGS:
        raise ValueError(f"ui_lang must be 'nl' or 'en' (got {ui_lang!r})")
    return _analyse(text, lang, ui_lang, lexicon or default_lexicon())


@lru_cache(maxsize=8192)
def _analyse(text: str, lang: str | None, ui_lang: str, lexicon: Lexicon) -> Analysis:
    norm, index = _fold(text)
    lang = lang or detect_lang(text, norm)

    # One pass over the rules whose trigger words occur; sort the matches by kind.
    blocks, flag_matches, other_matches = [], [], []
    for rule in lexicon._index[lang].candidates(norm):
        rx = _RX.get(rule.regex)
        first = None
        if rx is not None and (first := rx.search(norm)) is None:  # the common case: no match, no generator
            continue
        for s, e in rule.find(norm, first):
            if rule.not_in_question and _in_question(norm, e):
                continue
            if rule.exception_for:
                blocks.append((s, e, rule.exception_for))
            elif rule.category in CONTROLLING_CATEGORIES:
                flag_matches.append((rule, s, e))
            else:
                other_matches.append((rule, s, e))

    def excepted(category: str, s: int, e: int) -> bool:
        return any(bs < e and s < be and category in cats for bs, be, cats in blocks)

    # Flags: one per category and stretch of text; of overlapping ones keep the most severe (then the longest).
    found: list[tuple[Rule, int, int]] = []
    for rule, s, e in flag_matches:
        if excepted(rule.category, s, e):
            continue
        clash = next((i for i, (r, fs, fe) in enumerate(found) if r.category == rule.category and fs < e and s < fe),
                     None)
        if clash is None:
            found.append((rule, s, e))
        else:
            r, fs, fe = found[clash]
            if (rule.severity, e - s) > (r.severity, fe - fs):
                found[clash] = (rule, s, e)
    hits: list[tuple[Rule, int, int]] = []
    code_rules: list[Rule] = []
    for rule, s, e in other_matches:
        if rule.category is None:
            code_rules.append(rule)
        elif not excepted(rule.category, s, e) and not any(
                r.category == rule.category and hs < e and s < he for r, hs, he in hits):
            hits.append((rule, s, e))

    def span(s: int, e: int) -> tuple[int, int]:
        return (s, e) if index is None else (index[s], index[e - 1] + 1)

    flags = tuple(sorted((Flag(r.category, *span(s, e), r.id, r.severity, r.text("explanation", ui_lang),
                               r.text("suggestion", ui_lang)) for r, s, e in found),
                         key=lambda f: (f.start, f.end, f.category))) if found else ()
    supportive = tuple(sorted((Hit(r.category, *span(s, e), r.id) for r, s, e in hits),
                              key=lambda h: (h.start, h.end, h.category))) if hits else ()
    codes = _guess_codes(norm, lang, [r for r, _, _ in found + hits] + code_rules)
    return Analysis(text, lang, bool(flags), flags, supportive, codes)


def _in_question(norm: str, end: int) -> bool:
    """The sentence around `end` ends with a question mark."""
    m = _SENT_END.search(norm, end)
    return m is not None and m.group() == "?"


_CODE_ORDER = {c: i for i, c in enumerate(MI_CODES)}


def _guess_codes(norm: str, lang: str, rules: list[Rule]) -> tuple[str, ...]:
    codes = {r.code or _CATEGORY_CODE.get(r.category) for r in rules}
    codes.intersection_update(_CODE_ORDER)  # drops None
    if "?" in norm or _QUESTION_START[lang].match(norm):
        codes.add("question")
    if "complex_reflection" in codes:
        codes.discard("simple_reflection")  # one reflection per line; the deeper one wins
    if "persuade" in codes and any(r.category in ("permission", "choice") for r in rules):
        codes.discard("persuade")
        codes.add("persuade_with_permission")
    if not codes:
        return ("giving_information",)  # a plain statement
    return tuple(sorted(codes, key=_CODE_ORDER.__getitem__)) if len(codes) > 1 else tuple(codes)

