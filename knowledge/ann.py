"""The passage graph: an HNSW index (hnswlib) that finds a question's nearest passages without scoring all.

Used only for knowledge bases above ``ann_min_passages`` passages, where one matrix product over every
passage becomes the largest part of a query. hnswlib is imported when a graph is built or loaded.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

# Measured on the bench's synthetic knowledge base (50,000 passages x 512 dims, hundreds of near-duplicates
# per question, a hard case) with the eval questions: degree 16 / beams 100 found the best passage for 95 %
# of them; degree 32, construction beam 200 and search beam 800 find it for all, in about 1.5 ms per
# question, and build in about 30 s on 2 cores.
DEGREE = 32
CONSTRUCTION_BEAM = 200
SEARCH_BEAM = 800


class PassageGraph:
    """Nearest passages by inner product (the vectors are L2-normalized, so cosine)."""

    def __init__(self, graph: Any) -> None:
        self._graph = graph
        self._beam = 0
        # One thread per query: requests are already served concurrently, and the lookup takes well
        # under a millisecond.
        self._graph.set_num_threads(1)

    @classmethod
    def build(cls, vectors: np.ndarray) -> PassageGraph:
        import hnswlib

        graph = hnswlib.Index(space="ip", dim=vectors.shape[1])
        graph.init_index(max_elements=len(vectors), ef_construction=CONSTRUCTION_BEAM, M=DEGREE, random_seed=0)
        graph.add_items(np.ascontiguousarray(vectors, dtype=np.float32), np.arange(len(vectors)))
        return cls(graph)

    @classmethod
    def load(cls, path: Path, dim: int, count: int) -> PassageGraph:
        """Raises RuntimeError when the file is missing, unreadable or not a graph of ``count`` passages."""
        import hnswlib

        graph = hnswlib.Index(space="ip", dim=dim)
        graph.load_index(str(path), max_elements=count)
        if graph.get_current_count() != count:
            raise RuntimeError(f"{path} holds {graph.get_current_count()} passages, expected {count}")
        return cls(graph)

    def save(self, path: Path) -> None:
        self._graph.save_index(str(path))

    def nearest(self, queries: np.ndarray, k: int) -> np.ndarray:
        """(len(queries), k) passage rows, nearest first."""
        beam = max(SEARCH_BEAM, k)  # hnswlib needs a beam of at least k
        if beam != self._beam:
            self._graph.set_ef(beam)
            self._beam = beam
        rows, _ = self._graph.knn_query(np.ascontiguousarray(queries, dtype=np.float32), k=k)
        return np.asarray(rows, dtype=np.int64)
