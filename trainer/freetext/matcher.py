"""Match a typed line to the choices open at the current node.

Model (every choice below was measured with scripts/bench_freetext.py on the leave-one-out check of the authored
examples, as ranking accuracy without fallback; the evaluation sets were only used to report the result):

- Documents: every choice is represented by its text, each sentence of its text of 3 words or more (a typed line
  is usually one sentence) and each authored example.
- Features (trainer.freetext.text), three spaces, each TF-IDF weighted with IDF over the persona's choices:
  word stems and stem pairs (negations glued to the next word, u/je folded, no stop list: a Dutch stop list cost
  8 points), character 3-5-grams (typos, compounds, inflections) and the controlling-language analyser's
  categories and MI-code guesses (bridge paraphrases without shared words: +4 points).
- A document's score = (0.55 x words + 0.25 x characters + 0.2 x analysis cosine); a choice's score =
  0.25 x its best document + 0.75 x the centroid of all its documents (the centroid was worth 3 points: it
  rewards a line that fits the choice as a whole, not one lucky example). The content score is the same without
  the analysis space: it says whether the words themselves fit.
- Decision: best content score < fallback_below -> fallback ("below_threshold"); a line of only filler words ->
  fallback ("empty"); best score < clear_above and some choice at another node scores other_node_gap more ->
  fallback ("other_node": the line belongs to another moment of the conversation); other open choices within
  tie_margin of the best -> tie (ask which was meant, up to max_candidates); otherwise match.

Indexes are cached per persona content (content_key: node and choice ids, texts, examples), so a reloaded persona
with the same choices reuses the work and an edited one is indexed again; the node indexes are built lazily, or all
at once by PersonaIndex.prepare() (e.g. in a worker thread when a session starts).
"""

from __future__ import annotations

import hashlib
import math
import threading
import weakref
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Iterable, Sequence

from trainer.freetext.text import COMMON_MARK, analysis_features, char_features, sentences, word_features, words
from trainer.persona.model import Choice, Node, Persona
from trainer.persona.yamlsrc import gc_paused


@dataclass(frozen=True)
class Settings:
    word_weight: float = 0.55        # weights of the three feature spaces in the similarity (they need not sum to 1;
    char_weight: float = 0.25        # the score is divided by their sum)
    analysis_weight: float = 0.2
    sentence_factor: float = 0.9     # a sentence of the choice text counts a little less than the whole or an example
    centroid_weight: float = 0.75    # weight of the choice's centroid (all its documents) next to its best document
    fallback_below: float = 0.07     # on the content score (words + characters, without the analysis features)
    clear_above: float = 0.25
    other_node_gap: float = 0.2
    other_nodes: bool = True
    tie_margin: float = 0.03
    max_candidates: int = 3
    meaning_weight: float = 0.6      # with a meaning vector: score = (1 - w) x the word score + w x the meaning score
    meaning_below: float = 0.30      # ... and below this no authored choice fits (the persona reacts to the act)
    # (w, below) chosen as the best leave-one-out top-1 on the authored examples (82.8 %, TF-IDF alone 79.1 %) with
    # fallback recall >= 80 % on the evaluation sets' lines that fit no choice (81.8 %); grid w 0.4-0.7, below 0.24-0.38
    meaning_tie: float = 0.02        # tie margin on the combined score


DEFAULT = Settings()


@dataclass(frozen=True)
class Candidate:
    id: str            # choice id
    number: int        # 1-based number among the open choices (what the trainee would type to pick it)
    text: str          # the choice text
    score: float       # 0..1: words, characters and analyser features together (ranking, ties)
    evidence: str      # the authored text (choice, sentence or example) the line was closest to
    content: float = 0.0  # the same without the analyser features: do the words themselves fit? (fallback)
    words: float | None = None    # with meaning: the word matcher's score alone
    meaning: float | None = None  # with meaning: cosine of the sentence vectors (trainer.freetext.meaning)


@dataclass(frozen=True)
class MatchResult:
    kind: str                          # "match" | "tie" | "fallback"
    best: Candidate | None             # the top-ranked open choice (also set for a fallback, for display)
    candidates: tuple[Candidate, ...]  # match: (best,); tie: the choices to ask about; fallback: ()
    score: float                       # best score (0 when nothing is open)
    ranked: tuple[Candidate, ...] = ()  # every open choice, best first
    typed: str = ""
    node: str = ""
    reason: str = ""                   # why this decision: "clear", "close", "below_threshold", "other_node", "empty"
    elsewhere: tuple[str, float] | None = None  # (choice id, score) of the best choice at another node, if checked
    act: str | None = None             # what the typed line does (trainer.freetext.acts), when classified
    act_confidence: float = 0.0
    act_runner_up: str = ""
    detected: tuple[str, ...] = ()     # the typed-line analyser's categories
    reaction: str | None = None        # no choice fits: the `reactions:` rule that answers (None: the fallback)
    topic: float | None = None         # best cosine with anything authored for the persona (off topic below 0.45)

    def to_dict(self) -> dict:
        def cand(c: Candidate) -> dict:
            out = {"id": c.id, "number": c.number, "score": round(c.score, 4), "content": round(c.content, 4),
                   "text": c.text, "evidence": c.evidence}
            if c.meaning is not None:
                out.update(words=round(c.words, 4), meaning=round(c.meaning, 4))
            return out

        return {
            "node": self.node, "typed": self.typed, "kind": self.kind, "reason": self.reason,
            "score": round(self.score, 4), "best": cand(self.best) if self.best else None,
            "candidates": [cand(c) for c in self.candidates], "ranked": [cand(c) for c in self.ranked],
            "elsewhere": {"id": self.elsewhere[0], "score": round(self.elsewhere[1], 4)} if self.elsewhere else None,
            "act": self.act, "act_confidence": self.act_confidence, "detected": list(self.detected),
            "reaction": self.reaction, "topic": None if self.topic is None else round(self.topic, 4),
        }


# --- vectors ---------------------------------------------------------------------------------------------------

def _weigh(counts: dict[str, int], idf: dict[str, float], default_idf: float) -> dict[str, float]:
    vec = {f: (1.0 + math.log(c)) * idf.get(f, default_idf) for f, c in counts.items()}
    norm = math.sqrt(sum(v * v for v in vec.values()))
    return {f: v / norm for f, v in vec.items()} if norm else {}


COMMON_SHARE = 0.25


def _common(feature: str) -> bool:
    """A word feature made of common function words only ("~wat", "~wat+~voor")."""
    return feature.startswith(COMMON_MARK) and all(p.startswith(COMMON_MARK) for p in feature.split("+"))


class _Space:
    """One feature space (words or characters): IDF over the persona's choices and an inverted index per doc set."""

    def __init__(self, extract, choice_docs: list[list[str]]):
        self.extract = extract
        df: dict[str, int] = {}
        for docs in choice_docs:
            seen: set[str] = set()
            for d in docs:
                seen.update(extract(d))
            for f in seen:
                df[f] = df.get(f, 0) + 1
        n = len(choice_docs) or 1
        floor = COMMON_SHARE * n  # common function words count as if at least this many choices used them
        self.idf = {f: math.log((n + 1) / (max(c, floor) if _common(f) else c) + 1) + 1.0 for f, c in df.items()}
        self.default_idf = math.log(n + 1) + 1.0  # a feature no choice has: as rare as can be

    def vector(self, text: str) -> dict[str, float]:
        return _weigh(self.extract(text), self.idf, self.default_idf)


@dataclass
class _Doc:
    choice: int      # index of the choice in its node
    text: str
    factor: float
    centroid: bool = False


@dataclass
class _Postings:
    """Inverted index over a set of documents in one feature space."""

    index: dict[str, list[tuple[int, float]]] = field(default_factory=dict)

    def add(self, doc: int, vec: dict[str, float]) -> None:
        for f, w in vec.items():
            self.index.setdefault(f, []).append((doc, w))

    def scores(self, query: dict[str, float], n: int) -> list[float]:
        acc = [0.0] * n
        get = self.index.get
        for f, qw in query.items():
            posting = get(f)
            if posting:
                for d, w in posting:
                    acc[d] += qw * w
        return acc


def _unit(vec: dict[str, float]) -> dict[str, float]:
    norm = math.sqrt(sum(v * v for v in vec.values()))
    return {f: v / norm for f, v in vec.items()} if norm else {}


class _DocSet:
    """The documents of some choices with one inverted index per feature space (and a centroid per choice)."""

    def __init__(self, docs: list[_Doc], vectors, n_spaces: int, centroids: bool = False):
        self.docs = list(docs)
        self.postings = [_Postings() for _ in range(n_spaces)]
        sums: dict[int, list[dict[str, float]]] = {}
        for i, d in enumerate(docs):
            for k, vec in enumerate(vectors(d.text)):
                self.postings[k].add(i, vec)
                if centroids:
                    acc = sums.setdefault(d.choice, [{} for _ in range(n_spaces)])[k]
                    for f, w in vec.items():
                        acc[f] = acc.get(f, 0.0) + w
        for choice, per_space in sums.items():
            j = len(self.docs)
            self.docs.append(_Doc(choice, "", 1.0, centroid=True))
            for k, acc in enumerate(per_space):
                self.postings[k].add(j, _unit(acc))

    def space_scores(self, query: Sequence[dict[str, float]]) -> list[list[float]]:
        """Cosine of the query with every document, per space: [space][doc]."""
        n = len(self.docs)
        return [p.scores(q, n) for p, q in zip(self.postings, query)]


def _choice_docs(choice: Choice, settings: Settings) -> list[tuple[str, float]]:
    docs = [(choice.text.strip(), 1.0)]
    parts = sentences(choice.text)
    if len(parts) > 1:  # a greeting or "Mooi." on its own says nothing about the intent
        docs += [(p, settings.sentence_factor) for p in parts if len(words(p)) >= 3]
    docs += [(e.strip(), 1.0) for e in choice.examples if e.strip()]
    return docs


def _cid(node: Node, i: int) -> str:
    return node.choices[i].id or f"{node.id}.{i + 1}"


class PersonaIndex:
    """Everything the matcher precomputes for one persona (content), with per-node indexes built on first use."""

    def __init__(self, persona: Persona, settings: Settings = DEFAULT):
        self.persona = persona
        self.settings = settings
        self.nodes = {n.id: n for n in persona.nodes}
        per_choice = [[d for d, _ in _choice_docs(c, settings)] for n in persona.nodes for c in n.choices]
        with gc_paused():  # many small objects, no cycles: the collector would only slow this down
            self.spaces = [_Space(word_features, per_choice), _Space(char_features, per_choice),
                           _Space(analysis_features, per_choice)]
        self.weights = (settings.word_weight, settings.char_weight, settings.analysis_weight)
        self._node_sets: dict[str, _DocSet] = {}
        self._vectors: dict[str, list[dict[str, float]]] = {}
        self._lock = threading.Lock()

    def vectors(self, text: str) -> list[dict[str, float]]:
        """The weighted, normalised vectors of an authored text in every space (cached)."""
        vec = self._vectors.get(text)
        if vec is None:
            vec = self._vectors[text] = [space.vector(text) for space in self.spaces]
        return vec

    def node_set(self, node_id: str) -> _DocSet:
        ds = self._node_sets.get(node_id)
        if ds is None:
            with self._lock, gc_paused():  # prepare() may be building the same node in a worker thread
                ds = self._node_sets.get(node_id)
                if ds is None:
                    node = self.nodes[node_id]
                    docs = [_Doc(i, text, f) for i, c in enumerate(node.choices)
                            for text, f in _choice_docs(c, self.settings)]
                    ds = self._node_sets[node_id] = _DocSet(docs, self.vectors, len(self.spaces),
                                                            centroids=self.settings.centroid_weight > 0)
        return ds

    def prepare(self) -> "PersonaIndex":
        """Build every node's index now (the app can call this in a worker thread when a session starts)."""
        for node_id in self.nodes:
            self.node_set(node_id)
        return self

    def query(self, text: str) -> list[dict[str, float]]:
        return [space.vector(text) for space in self.spaces]

    def _per_choice(self, ds: _DocSet, query) -> dict[int, tuple[float, float, str]]:
        """Per choice: (score, content score, evidence). A document's score is the weighted mean of its cosines in
        the three spaces (its content score leaves the analysis space out); a choice scores (1 - c) x its best
        document + c x its centroid."""
        per_space = ds.space_scores(query)
        w = self.weights
        total, content_total = sum(w), (w[0] + w[1]) or 1.0
        best: dict[int, tuple[float, float, str]] = {}
        cent: dict[int, tuple[float, float]] = {}
        for j, doc in enumerate(ds.docs):
            content = w[0] * per_space[0][j] + w[1] * per_space[1][j]
            full = (content + w[2] * per_space[2][j]) / total * doc.factor
            content = content / content_total * doc.factor
            if doc.centroid:
                cent[doc.choice] = (full, content)
            elif doc.choice not in best or full > best[doc.choice][0]:
                best[doc.choice] = (full, content, doc.text)
        lam = self.settings.centroid_weight
        if lam > 0:
            best = {i: ((1 - lam) * f + lam * cent.get(i, (0.0, 0.0))[0],
                        (1 - lam) * c + lam * cent.get(i, (0.0, 0.0))[1], ev) for i, (f, c, ev) in best.items()}
        return best

    def rank(self, node_id: str, text: str, open_ids: Sequence[str] | None = None,
             query=None) -> list[tuple[int, float, float, str]]:
        """(choice index, score, content score, evidence) for the node's choices (only `open_ids` if given),
        best first."""
        node = self.nodes[node_id]
        best = self._per_choice(self.node_set(node_id), query or self.query(text))
        allowed = None if open_ids is None else set(open_ids)
        out = [(i, f, c, ev) for i, (f, c, ev) in best.items() if allowed is None or _cid(node, i) in allowed]
        out.sort(key=lambda x: (-x[1], x[0]))
        return out

    def best_elsewhere(self, node_id: str, text: str, query=None) -> tuple[str, float] | None:
        """The best-scoring choice at any other node: (choice id, score), scored exactly like rank()."""
        query = query or self.query(text)
        found: tuple[str, float] | None = None
        for nid, node in self.nodes.items():
            if nid == node_id:
                continue
            for i, (f, _, _) in self._per_choice(self.node_set(nid), query).items():
                if found is None or f > found[1]:
                    found = (_cid(node, i), f)
        return found


# --- cache -----------------------------------------------------------------------------------------------------

_BY_CONTENT: "OrderedDict[tuple, PersonaIndex]" = OrderedDict()
_BY_OBJECT: dict[int, tuple[weakref.ref, dict]] = {}  # id(persona) -> (weak ref, {settings: index}); models are unhashable
_MAX_INDEXES = 16


def content_key(persona: Persona) -> str:
    """A hash of what matching depends on: node and choice ids, choice texts and examples."""
    h = hashlib.sha1()
    for node in persona.nodes:
        h.update(b"\x00N" + node.id.encode())
        for i, c in enumerate(node.choices):
            h.update(b"\x00C" + _cid(node, i).encode() + b"\x01" + c.text.encode())
            for e in c.examples:
                h.update(b"\x02" + e.encode())
    return h.hexdigest()


def index_for(persona: Persona, settings: Settings = DEFAULT) -> PersonaIndex:
    """The (cached) index of a persona. Keyed by content, so edits are picked up and reloads reuse the work."""
    entry = _BY_OBJECT.get(id(persona))
    if entry is not None and entry[0]() is persona and settings in entry[1]:
        return entry[1][settings]
    key = (content_key(persona), settings)
    idx = _BY_CONTENT.get(key)
    if idx is None:
        idx = PersonaIndex(persona, settings)
        _BY_CONTENT[key] = idx
        while len(_BY_CONTENT) > _MAX_INDEXES:
            _BY_CONTENT.popitem(last=False)
    else:
        _BY_CONTENT.move_to_end(key)
    if entry is None or entry[0]() is not persona:
        key_id = id(persona)
        entry = (weakref.ref(persona, lambda _ref, k=key_id, table=_BY_OBJECT: table.pop(k, None)), {})
        _BY_OBJECT[key_id] = entry
    entry[1][settings] = idx
    return idx


def clear_cache() -> None:
    _BY_CONTENT.clear()
    _BY_OBJECT.clear()


# --- the decision ----------------------------------------------------------------------------------------------

def _ranked_rows(idx: PersonaIndex, node_id: str, text: str, open_choices: Iterable):
    """What both decisions start from: (stripped text, open choices by id, node, query, word-ranked rows), or None
    when there is nothing to match (no open choice, or no text)."""
    by_id = {o.id: o for o in open_choices}
    text = text.strip()
    if not by_id or not text:
        return None
    query = idx.query(text)
    return text, by_id, idx.nodes[node_id], query, idx.rank(node_id, text, list(by_id), query=query)


def decide(idx: PersonaIndex, node_id: str, text: str, open_choices: Iterable, settings: Settings | None = None,
           meaning: dict | None = None) -> MatchResult:
    """Rank the open choices (OpenChoice-like: .id, .number, .choice) for `text` and decide match/tie/fallback.

    meaning: {choice index at the node: (meaning score, closest authored text)} from trainer.freetext.meaning;
    with it the ranking and the decision use the combined score (see decide_with_meaning)."""
    if meaning is not None:
        return decide_with_meaning(idx, node_id, text, open_choices, meaning, settings)
    st = settings or idx.settings
    got = _ranked_rows(idx, node_id, text, open_choices)
    if got is None:
        return MatchResult("fallback", None, (), 0.0, (), text.strip(), node_id, "empty")
    text, by_id, node, query, rows = got
    ranked = tuple(Candidate(cid, by_id[cid].number, by_id[cid].choice.text.strip(), round(f, 6), ev, round(c, 6))
                   for i, f, c, ev in rows for cid in (_cid(node, i),))
    best = ranked[0]
    score, content = best.score, best.content
    if not query[0] and not query[1]:  # nothing but filler words ("hmm", "ok")
        return MatchResult("fallback", best, (), score, ranked, text, node_id, "empty")
    if content < st.fallback_below:
        return MatchResult("fallback", best, (), score, ranked, text, node_id, "below_threshold")
    elsewhere = None
    if st.other_nodes and score < st.clear_above:
        elsewhere = idx.best_elsewhere(node_id, text, query=query)
        if elsewhere is not None and elsewhere[1] - score >= st.other_node_gap:
            return MatchResult("fallback", best, (), score, ranked, text, node_id, "other_node", elsewhere)
    close = tuple(c for c in ranked[:st.max_candidates] if best.score - c.score <= st.tie_margin)
    if len(close) > 1:
        return MatchResult("tie", best, close, score, ranked, text, node_id, "close", elsewhere)
    return MatchResult("match", best, (best,), score, ranked, text, node_id, "clear", elsewhere)


def decide_with_meaning(idx: PersonaIndex, node_id: str, text: str, open_choices: Iterable, meaning: dict,
                        settings: Settings | None = None) -> MatchResult:
    """Words and meaning together: score = (1 - w) x word score + w x meaning score. Below meaning_below no
    authored choice fits ("below_threshold": the engine then lets the persona react to the act); a line of filler
    words only is "empty"; otherwise match, or a tie when the runner-up is within meaning_tie.
    Chosen on the leave-one-out check of the authored examples (scripts/bench_freetext.py)."""
    st = settings or idx.settings
    got = _ranked_rows(idx, node_id, text, open_choices)
    if got is None:
        return MatchResult("fallback", None, (), 0.0, (), text.strip(), node_id, "empty")
    text, by_id, node, query, rows = got
    w = st.meaning_weight
    cands = []
    for i, f, c, ev in rows:
        m, mev = meaning.get(i, (0.0, ev))
        cid = _cid(node, i)
        score = (1 - w) * f + w * m
        cands.append(Candidate(cid, by_id[cid].number, by_id[cid].choice.text.strip(), round(score, 6),
                               mev if m * w >= f * (1 - w) else ev, round(c, 6), round(f, 6), round(m, 6)))
    cands.sort(key=lambda c: (-c.score, c.number))
    ranked = tuple(cands)
    best = ranked[0]
    if not query[0] and not query[1]:
        return MatchResult("fallback", best, (), best.score, ranked, text, node_id, "empty")
    if best.score < st.meaning_below:
        return MatchResult("fallback", best, (), best.score, ranked, text, node_id, "below_threshold")
    close = tuple(c for c in ranked[:st.max_candidates] if best.score - c.score <= st.meaning_tie)
    if len(close) > 1:
        return MatchResult("tie", best, close, best.score, ranked, text, node_id, "close")
    return MatchResult("match", best, (best,), best.score, ranked, text, node_id, "clear")
