"""Dense relevance per service: the best cosine between a question and any passage of the service.

Without a passage graph every passage is scored (one matrix product): exact, and fast at catalogue size.
With one (large knowledge bases) the graph proposes the services of the question's nearest passages, the
caller may add its own candidates (hybrid search adds the lexical favourites, so that fusion sees their
true dense score), and only the passages of those services are scored, exactly. Every other service scores
0: it is too far from the question to be retrieved.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from functools import cache
from typing import Any

import numpy as np

from knowledge.index import DenseIndex


class DenseScorer:
    def __init__(self, index: DenseIndex, service_count: int, candidates: int) -> None:
        self.index = index
        self.candidates = candidates
        self.passage_service = np.asarray([p.service for p in index.passages], dtype=np.int64)
        # Passages are stored service by service, so each service is one block of rows [start, end).
        counts = np.bincount(self.passage_service, minlength=service_count)
        self.ends = np.cumsum(counts)
        self.starts = self.ends - counts

    def without_graph(self) -> DenseScorer:
        """The exact scorer over the same passages (what the graph path is measured against)."""
        return DenseScorer(replace(self.index, graph=None), len(self.starts), self.candidates)

    def scores(self, vectors: np.ndarray, extra: np.ndarray | None = None) -> np.ndarray:
        """(len(vectors), services) scores of embedded questions; ``extra`` = more candidate services per
        question (one row each), used only with a graph."""
        graph = self.index.graph
        with _one_blas_thread():
            if graph is None:
                return np.maximum.reduceat(vectors @ self.index.vectors.T, self.starts, axis=1)
            nearest = graph.nearest(vectors, min(self.candidates, len(self.passage_service)))
            scores = np.zeros((len(vectors), len(self.starts)), dtype=np.float32)
            for row, vector in enumerate(vectors):
                services = np.unique(self.passage_service[nearest[row]])
                if extra is not None:
                    services = np.union1d(services, extra[row])
                scores[row, services] = self._best_passages(vector, services)
            return scores

    def _best_passages(self, vector: np.ndarray, services: np.ndarray) -> np.ndarray:
        """Per service of ``services``, the best cosine over all of its passages."""
        lengths = self.ends[services] - self.starts[services]
        offsets = np.cumsum(lengths) - lengths  # where each service's block starts in the gathered rows
        rows = np.arange(lengths.sum()) + np.repeat(self.starts[services] - offsets, lengths)
        return np.maximum.reduceat(self.index.vectors[rows] @ vector, offsets)


@contextmanager
def _one_blas_thread() -> Iterator[None]:
    """numpy's BLAS would wake a second thread for these products: on 2 cores shared with Rasa that
    measured 15-18 ms p50 / 56-146 ms p99 per question at 10,000 services, against 7 / 20 ms with one."""
    with _threadpools().limit(limits=1, user_api="blas"):
        yield


@cache
def _threadpools() -> Any:
    from threadpoolctl import ThreadpoolController  # inspects the loaded libraries: once, when first needed

    return ThreadpoolController()
