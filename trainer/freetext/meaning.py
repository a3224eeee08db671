"""Matching by meaning: cosine of the typed line's sentence vector with each open choice's authored texts.

Beside the TF-IDF matcher (trainer.freetext.matcher), which needs shared words, this hears paraphrases that share
few or none ("U voelt zich weggezet" ~ "Het zit u dwars dat u ergens neergezet bent"). Per choice the documents are
the same as the word matcher's (its text, its sentences of 3+ words, its examples); a choice's meaning score is
(1 - CENTROID) x its best document + CENTROID x the cosine with the mean of its documents.

Authored texts are embedded once per text (the encoder's disk cache keeps them across runs); the typed line's
vector is kept out of the cache.
"""

from __future__ import annotations

import threading

import numpy as np

from trainer.persona.model import Persona

CENTROID = 0.5
# Below this best cosine with every authored line of the persona, a typed line is about something else (off topic):
# the persona falls back instead of reacting. Chosen on the evaluation sets (tests/data/freetext_eval: 1 % of the
# on-topic lines score below 0.50) and the benchmark's off-topic list (16 of 26 below 0.45).
TOPIC_BELOW = 0.45


def about_something_else(topic: float | None, detected=()) -> bool:
    """A typed line the persona treats as off topic: its closeness to the persona's lines is below TOPIC_BELOW.
    A line in which the analyser finds a controlling category is never off topic: an obligation or a threat is
    about the client whatever its words, and the persona answers it (its meters move for it anyway)."""
    from trainer.vocab import CONTROLLING_CATEGORIES

    return topic is not None and topic < TOPIC_BELOW and not any(c in CONTROLLING_CATEGORIES for c in detected)


class MeaningIndex:
    def __init__(self, persona: Persona, encoder=None):
        from trainer.freetext.matcher import DEFAULT, _choice_docs

        self.persona = persona
        self.nodes = {n.id: n for n in persona.nodes}
        self._docs = lambda choice: [t for t, _ in _choice_docs(choice, DEFAULT)]
        self._encoder = encoder
        self._per_node: dict[str, tuple] = {}
        self._lock = threading.Lock()

    @property
    def encoder(self):
        if self._encoder is None:
            from trainer.semantic.encoder import default_encoder

            self._encoder = default_encoder()
        return self._encoder

    def node(self, node_id: str) -> tuple:
        got = self._per_node.get(node_id)
        if got is None:
            with self._lock:
                got = self._per_node.get(node_id)
                if got is None:
                    node = self.nodes[node_id]
                    texts, owner = [], []
                    for i, c in enumerate(node.choices):
                        for d in self._docs(c):
                            texts.append(d)
                            owner.append(i)
                    vecs = self.encoder.vectors(texts)
                    owner_a = np.array(owner)
                    cents = []
                    for i in range(len(node.choices)):
                        m = vecs[owner_a == i].mean(axis=0)
                        cents.append(m / (np.linalg.norm(m) or 1.0))
                    got = self._per_node[node_id] = (texts, owner_a, vecs, np.stack(cents))
        return got

    def prepare(self) -> "MeaningIndex":
        for node_id in self.nodes:
            self.node(node_id)
        self.encoder.save()
        return self

    def topical(self, query: np.ndarray) -> float:
        """How close the line comes to anything said in this conversation: the best cosine with any choice text or
        example of any node (embeds the nodes not indexed yet; prepare() does that up front)."""
        return max(float((self.node(n)[2] @ query).max()) for n in self.nodes)

    def scores(self, node_id: str, query: np.ndarray) -> dict[int, tuple[float, str]]:
        """Per choice index: (meaning score, the authored text closest in meaning)."""
        texts, owner, vecs, cents = self.node(node_id)
        sims = vecs @ query
        cent = cents @ query
        out = {}
        for i in range(len(cents)):
            mine = np.flatnonzero(owner == i)
            j = mine[int(np.argmax(sims[mine]))]
            out[i] = (float((1 - CENTROID) * sims[j] + CENTROID * cent[i]), texts[j])
        return out


_CACHE: dict[int, tuple] = {}


def meaning_index(persona: Persona) -> MeaningIndex:
    """One index per persona object (its vectors live in the encoder's cache, so a reload is cheap)."""
    got = _CACHE.get(id(persona))
    if got is not None and got[0] is persona:
        return got[1]
    idx = MeaningIndex(persona)
    if len(_CACHE) > 16:
        _CACHE.clear()
    _CACHE[id(persona)] = (persona, idx)
    return idx
