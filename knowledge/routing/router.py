"""Routing one text with the stored model: the level-1 category with its calibrated confidence, its level-2
category and department, and the top three level-1 alternatives (the first is the answer itself)."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass

import numpy as np

from knowledge.compact import StringTable, release_freed_memory
from knowledge.routing import data as routing_data
from knowledge.routing.data import DepartmentOverrides, RoutingDataError, Taxonomy
from knowledge.routing.features import Vectorizer, Vocabulary, prepare, tokens
from knowledge.routing.model import level2_slices, read_manifest, softmax, staleness
from knowledge.settings import KnowledgeSettings
from knowledge.text import Segmenter

logger = logging.getLogger(__name__)

ALTERNATIVES = 3


class SparseRows:
    """A mostly-zero weight matrix as its non-zero entries row by row (CSR layout, numpy only: importing
    scipy would cost more memory than this saves).

    The level-2 weights are zero for every feature never seen in a level-1 category's examples (trained from
    zero, such a feature gets no gradient): about 10 % are non-zero, 4 MB here instead of 25 MB dense.
    """

    def __init__(self, dense: np.ndarray) -> None:
        rows, columns = np.nonzero(dense)
        self.shape = dense.shape
        self.indptr = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=dense.shape[0]))])
        self.indices = columns.astype(np.int32)
        self.data = dense[rows, columns]

    def take(self, rows: np.ndarray, columns: slice) -> np.ndarray:
        """``dense[rows, columns]``, the same values."""
        starts, lengths = self.indptr[rows], self.indptr[rows + 1] - self.indptr[rows]
        entries = np.arange(lengths.sum()) + np.repeat(starts - (np.cumsum(lengths) - lengths), lengths)
        gathered = np.zeros((len(rows), self.shape[1]), dtype=self.data.dtype)
        gathered[np.repeat(np.arange(len(rows)), lengths), self.indices[entries]] = self.data[entries]
        return np.ascontiguousarray(gathered[:, columns])


class RouterUnavailable(RuntimeError):
    """No usable model: not built yet, or its files do not load."""


@dataclass(frozen=True)
class Alternative:
    category: str
    subcategory: str | None
    department: str | None
    score: float


@dataclass(frozen=True)
class Routing:
    category: str
    subcategory: str | None
    department: str | None
    confidence: float
    alternatives: list[Alternative]


class Router:
    def __init__(
        self,
        taxonomy: Taxonomy,
        vectorizer: Vectorizer,
        w1: np.ndarray,
        w2: np.ndarray,
        temperature: float,
        overrides: DepartmentOverrides,
        segmenter: Segmenter,
        manifest: dict[str, object],
    ) -> None:
        self.taxonomy = taxonomy
        self.vectorizer = vectorizer
        self.w1 = w1
        self.w2 = SparseRows(w2)
        self.temperature = temperature
        self.overrides = overrides
        self.segmenter = segmenter
        self.manifest = manifest
        self._slices = level2_slices(taxonomy)

    @classmethod
    def load(cls, settings: KnowledgeSettings | None = None) -> Router:
        """The stored model (a stale one too, with a warning: the gateway never trains). Raises
        ``RouterUnavailable`` without a model and ``RoutingDataError`` for a malformed override table."""
        settings = settings or KnowledgeSettings.from_env()
        model_dir = settings.routing_model_dir
        manifest = read_manifest(model_dir)
        if manifest is None:
            raise RouterUnavailable(f"no routing model in {model_dir} (python -m knowledge route-build)")
        try:
            with np.load(model_dir / manifest["weights"], allow_pickle=False) as stored:
                w1, w2, idf = stored["w1"], stored["w2"], stored["idf"]
            raw = json.loads((model_dir / manifest["vocabulary"]).read_text(encoding="utf-8"))
            # The terms as a compact table, not a tuple and a dict of 170,000 strings: about 20 MB less per process.
            index = StringTable({term: column for column, term in enumerate(raw.pop("terms"))}, np.int32)
            vocabulary = Vocabulary(
                terms=(),
                idf=idf.astype(np.float32),
                level1=tuple(raw["level1"]),
                pairs=tuple((level1, level2) for level1, level2 in raw["pairs"]),
                keywords={(level1, level2): tuple(words) for level1, level2, words in raw["keywords"]},
            )
            taxonomy = routing_data.load_taxonomy(settings.categories_file)
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise RouterUnavailable(f"unreadable routing model in {model_dir}: {error}") from error
        if (
            tuple(taxonomy.level1) != vocabulary.level1
            or w1.shape != (vocabulary.size, len(vocabulary.level1))
            or w2.shape != (vocabulary.size, len(vocabulary.pairs))
            or [pair for level1 in taxonomy.level1 for pair in ((level1, n) for n in taxonomy.level2[level1])]
            != list(vocabulary.pairs)
        ):
            raise RouterUnavailable(f"the routing model in {model_dir} does not match categories.yaml; rebuild it")
        overrides = routing_data.load_overrides(settings.department_overrides_file, taxonomy)
        reason = staleness(settings)
        if reason is not None:
            logger.warning("the routing model is stale (%s): run python -m knowledge route-build", reason)
        segmenter = Segmenter(settings.dict_dir)
        segmenter.jieba()  # load the dictionary now, not on the first request
        release_freed_memory()  # the parsed vocabulary's strings
        vectorizer = Vectorizer(vocabulary, index)
        return cls(taxonomy, vectorizer, w1, w2, float(manifest["temperature"]), overrides, segmenter, manifest)

    def level1_probabilities(self, prepared: str, document: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        columns, values = self.vectorizer.row(prepared, document)
        return softmax((values @ self.w1[columns]) / self.temperature), columns, values

    def route(self, text: str) -> Routing:
        prepared = prepare(text)
        probabilities, columns, values = self.level1_probabilities(prepared, tokens(prepared, self.segmenter))
        order = np.argsort(-probabilities, kind="stable")[:ALTERNATIVES]
        alternatives = []
        for position in order:
            level1 = self.taxonomy.level1[int(position)]
            names = self.taxonomy.level2[level1]
            level2 = None
            if names:
                scores = values @ self.w2.take(columns, self._slices[level1])
                level2 = names[int(np.argmax(scores))]
            department = self.overrides.department(prepared, level1, level2, self.taxonomy.default_department(level1))
            alternatives.append(Alternative(level1, level2, department, round(float(probabilities[position]), 4)))
        best = alternatives[0]
        return Routing(best.category, best.subcategory, best.department, best.score, alternatives)


def load_router(settings: KnowledgeSettings | None = None) -> Router | None:
    """The router, or None (logged) when there is no usable model or the override table is malformed."""
    try:
        return Router.load(settings)
    except RouterUnavailable as error:
        logger.warning("request routing unavailable: %s", error)
    except RoutingDataError as error:
        logger.error("request routing unavailable: %s", error)
    return None


__all__ = ["Alternative", "Router", "RouterUnavailable", "Routing", "load_router"]
