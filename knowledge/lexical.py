"""BM25 over three views of each service (jieba words, character bigrams, pinyin bigrams).

Scores are normalized per query to 0..1 (the share of the query's best possible BM25 score that a
service reaches), so that they can be fused with cosine similarities and thresholded.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from knowledge.text import Analyzer, Features, Segmenter

# How much each view counts; words carry most meaning, the n-gram views rescue typos and pinyin.
FIELD_WEIGHTS = {"words": 0.5, "chars": 0.3, "pinyin": 0.2}


class BM25:
    """Okapi BM25 with precomputed per-term postings (doc ids, weights) for fast scoring."""

    def __init__(self, documents: Sequence[Sequence[str]], k1: float = 1.2, b: float = 0.75) -> None:
        self.size = len(documents)
        self.k1 = k1
        average = sum(len(doc) for doc in documents) / max(1, self.size)
        postings: dict[str, tuple[list[int], list[float]]] = {}
        for doc_id, doc in enumerate(documents):
            norm = k1 * (1 - b + b * len(doc) / average) if average else k1
            for term, tf in Counter(doc).items():
                ids, weights = postings.setdefault(term, ([], []))
                ids.append(doc_id)
                weights.append(tf * (k1 + 1) / (tf + norm))
        self.postings: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for term, (ids, weights) in postings.items():
            idf = self.idf(len(ids))
            self.postings[term] = (
                np.asarray(ids, dtype=np.int64),
                np.asarray(weights, dtype=np.float32) * idf,
            )

    def idf(self, df: int) -> float:
        return math.log(1 + (self.size - df + 0.5) / (df + 0.5))

    def scores(self, terms: Sequence[str]) -> tuple[np.ndarray, float]:
        """Per document BM25, and the query's upper bound (every term matched, saturated)."""
        scores = np.zeros(self.size, dtype=np.float32)
        bound = 0.0
        for term in set(terms):
            posting = self.postings.get(term)
            # An unknown term counts as a rare one: a question full of words the knowledge base has
            # never seen is probably not about it.
            bound += self.idf(len(posting[0]) if posting else 0) * (self.k1 + 1)
            if posting is not None:
                scores[posting[0]] += posting[1]
        return scores, bound


@dataclass(frozen=True)
class LexicalIndex:
    analyzer: Analyzer
    fields: dict[str, BM25]

    @classmethod
    def build(cls, segmenter: Segmenter, documents: Sequence[str]) -> LexicalIndex:
        analyzer = Analyzer(segmenter, documents)
        features = [analyzer.document_features(doc) for doc in documents]
        return cls(analyzer, {name: BM25([getattr(f, name) for f in features]) for name in FIELD_WEIGHTS})

    def scores(self, expanded_query: str) -> np.ndarray:
        """Scores of a question already expanded by ``self.analyzer.expand``."""
        return self.scores_for(self.analyzer.features_of_expanded(expanded_query))

    def scores_for(self, features: Features) -> np.ndarray:
        """Weighted BM25 over the fields, divided by the weighted bound: a field the question has no terms
        in (no Chinese characters in typed pinyin) neither helps nor hurts."""
        total = np.zeros(next(iter(self.fields.values())).size, dtype=np.float32)
        bound = 0.0
        for name, weight in FIELD_WEIGHTS.items():
            scores, field_bound = self.fields[name].scores(getattr(features, name))
            total += weight * scores
            bound += weight * field_bound
        return total / bound if bound else total
