"""The knowledge base: services, their dense and lexical indexes, and search over them."""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from contract.knowledge import Hit, SearchResult
from knowledge.answers import compose_answer, source_of
from knowledge.aspects import detect_aspect, is_follow_up
from knowledge.dense import DenseScorer
from knowledge.documents import Subjects, read_documents, read_procedures
from knowledge.embedders import Embedder, create_embedder
from knowledge.index import ensure_index, manifest_stamp
from knowledge.lexical import LexicalIndex
from knowledge.schema import KnowledgeFormatError, Service, load_categories, load_services
from knowledge.settings import MODES, KnowledgeSettings
from knowledge.text import Segmenter, normalize

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Loaded:
    """Everything a search needs, swapped as one object on reload (searches in flight keep the old one)."""

    services: list[Service]
    dense: DenseScorer
    lexical: LexicalIndex
    # Every service name and alias, longest first: a service's own name says nothing about the aspect asked
    # ("医疗费用零星报销在哪办" asks where, not about fees).
    names: re.Pattern[str]
    # The words that name a service: its name and aliases (`mentions`), and those with its keywords (`words`).
    mentions: frozenset[str]
    words: frozenset[str]
    # The documents a question may be about, and per service those it deals with and those it asks for; the
    # procedures a question may ask for (注销, 变更 ...), and per service those it deals with.
    documents: Subjects
    own_documents: list[frozenset[str]]
    material_documents: list[frozenset[str]]
    procedures: Subjects
    own_procedures: list[frozenset[str]]

    def about_another(self, question: str, service: int) -> bool:
        """The question is about a document or asks for a procedure the service does not deal with."""
        text = normalize(question)  # once: this runs on every search
        return self.documents.about_another(
            text, self.own_documents[service], self.material_documents[service]
        ) or self.procedures.about_another(text, self.own_procedures[service])


def _names_pattern(services: list[Service]) -> re.Pattern[str]:
    names = sorted({name for s in services for name in (s.name, *s.aliases) if name}, key=len, reverse=True)
    return re.compile("|".join(map(re.escape, names))) if names else re.compile(r"(?!)")


class KnowledgeBase:
    """Search the service knowledge base; picks up rebuilt indexes without a restart."""

    def __init__(self, settings: KnowledgeSettings, embedder: Embedder) -> None:
        self.settings = settings
        self.embedder = embedder
        self.segmenter = Segmenter(settings.dict_dir)
        self._reload_lock = threading.Lock()
        self._next_check = 0.0
        self._loaded = self._load(force=False)

    @classmethod
    def from_settings(cls, settings: KnowledgeSettings | None = None) -> KnowledgeBase:
        """Load the services and their index (building the index when missing or stale)."""
        settings = settings or KnowledgeSettings.from_env()
        return cls(settings, create_embedder(settings))

    @property
    def services(self) -> list[Service]:
        return self._loaded.services

    @property
    def service_mentions(self) -> frozenset[str]:
        """Every service's name and aliases."""
        return self._loaded.mentions

    @property
    def service_words(self) -> frozenset[str]:
        """Every service's name, aliases and keywords: the catalogue's own words for its services."""
        return self._loaded.words

    def about_another_subject(self, question: str, service: str) -> bool:
        """The question is about a document or asks for a procedure the named service's guide does not deal with
        ("结婚证丢了怎么补办" of 结婚登记); False for a name that is no service."""
        loaded = self._loaded
        index = next((i for i, s in enumerate(loaded.services) if s.name == service), None)
        return index is not None and loaded.about_another(question, index)

    def reload(self) -> int:
        """Re-read the YAML files and rebuild the index (only new passages are embedded).

        Raises KnowledgeFormatError and keeps serving the previous content when a file is invalid.
        Returns the number of services now loaded.
        """
        with self._reload_lock:
            self._loaded = self._load(force=True)
        return len(self._loaded.services)

    def search(self, query: str, k: int = 3) -> SearchResult:
        return self.search_many([query], k)[0]

    def search_many(
        self, queries: Sequence[str], k: int = 3, embedded: Mapping[str, np.ndarray] | None = None
    ) -> list[SearchResult]:
        """Search several questions at once (one embedding batch).

        `embedded` holds texts the caller has already embedded with this knowledge base's model (Rasa's
        sentence featurizer embeds every message): a question whose expansion is one of them is not
        embedded again.
        """
        self._refresh_if_rebuilt()
        loaded = self._loaded
        scores = self.score(queries, self.settings.mode, loaded, embedded)
        return [self._result(query, row, k, loaded) for query, row in zip(queries, scores, strict=True)]

    def score(
        self,
        queries: Sequence[str],
        mode: str,
        loaded: _Loaded | None = None,
        embedded: Mapping[str, np.ndarray] | None = None,
    ) -> np.ndarray:
        """(len(queries), len(services)) relevance scores in the given mode (dense, lexical or hybrid).

        Both retrievers see the question expanded with what its typos, pinyin and colloquial words
        stand for: the embedding model knows neither pinyin nor this synonym table.
        """
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}")
        loaded = loaded or self._loaded
        expanded = [loaded.lexical.analyzer.expand(query) for query in queries]
        if mode == "dense":
            return loaded.dense.scores(self._embed(expanded, embedded or {}))
        lexical = np.zeros((len(queries), len(loaded.services)), np.float32)
        for row, text in enumerate(expanded):
            lexical[row] = loaded.lexical.scores(text)
        if mode == "lexical":
            return lexical
        vectors = self._embed(expanded, embedded or {})
        dense = loaded.dense.scores(vectors, self._lexical_favourites(lexical, loaded))
        weight = self.settings.dense_weight
        return weight * dense + (1 - weight) * lexical

    def _embed(self, texts: list[str], embedded: Mapping[str, np.ndarray]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.embedder.dim), np.float32)
        missing = [text for text in dict.fromkeys(texts) if text not in embedded]
        vectors = dict(zip(missing, self.embedder.encode(missing), strict=True)) if missing else {}
        return np.stack(
            [np.asarray(embedded[text] if text in embedded else vectors[text], np.float32) for text in texts]
        )

    def _lexical_favourites(self, lexical: np.ndarray, loaded: _Loaded) -> np.ndarray | None:
        """The best lexical services per question, which the dense passage graph may not propose itself."""
        count = min(self.settings.ann_candidates, lexical.shape[1])
        if loaded.dense.index.graph is None or count == 0:
            return None
        return np.argpartition(-lexical, count - 1, axis=1)[:, :count]

    def _result(self, query: str, scores: np.ndarray, k: int, loaded: _Loaded) -> SearchResult:
        aspect = detect_aspect(loaded.names.sub(" ", query))
        count = min(k, len(scores))
        best = np.argpartition(-scores, count - 1)[:count] if count else np.array([], dtype=np.int64)
        best = best[np.argsort(-scores[best], kind="stable")]
        hits = [
            Hit(
                service=loaded.services[i].name,
                department=loaded.services[i].department,
                score=round(float(scores[i]), 4),
                answer=compose_answer(loaded.services[i], aspect),
                source=source_of(loaded.services[i]),
            )
            for i in best
        ]
        reaches = bool(hits) and hits[0].score >= self.settings.threshold
        # Also below the threshold: the actions then do not answer with a service the question names.
        another = bool(hits) and loaded.about_another(query, best[0])
        return SearchResult(
            query=query,
            confident=reaches and not another,
            hits=hits,
            aspect=aspect,
            follow_up=is_follow_up(query),
            another_subject=another,
        )

    def _read_services(self) -> list[Service]:
        return load_services(self.settings.services_dir, load_categories(self.settings.categories_file))

    def _load(self, force: bool) -> _Loaded:
        services = self._read_services()
        dense = ensure_index(
            self.settings.index_dir,
            services,
            self.embedder,
            ann_min_passages=self.settings.ann_min_passages,
            force=force,
        )
        mentions = frozenset(name for service in services for name in (service.name, *service.aliases))
        texts: list[list[str]] = [[] for _ in services]
        documents = read_documents(self.settings.dict_dir / "documents.tsv")
        procedures = read_procedures(self.settings.dict_dir / "procedures.tsv")
        for passage in dense.passages:
            texts[passage.service].append(passage.text)
        return _Loaded(
            services=services,
            dense=DenseScorer(dense, len(services), self.settings.ann_candidates),
            lexical=LexicalIndex.build(self.segmenter, [" ".join(parts) for parts in texts]),
            names=_names_pattern(services),
            mentions=mentions,
            words=mentions | {keyword for service in services for keyword in service.keywords},
            documents=documents,
            own_documents=[documents.among((s.name, *s.aliases, *s.keywords, *s.questions)) for s in services],
            material_documents=[documents.among(s.materials) for s in services],
            procedures=procedures,
            # A summary says what the service does too ("登记信息变更需要换领").
            own_procedures=[
                procedures.among((s.name, *s.aliases, *s.keywords, s.summary, *s.questions)) for s in services
            ],
        )

    def _refresh_if_rebuilt(self) -> None:
        """Reload when another process rebuilt the index (a cheap stat, at most once per check period)."""
        now = time.monotonic()
        if now < self._next_check:
            return
        self._next_check = now + self.settings.reload_check_seconds
        stamp = manifest_stamp(self.settings.index_dir)
        if stamp is None or stamp == self._loaded.dense.index.stamp:
            return
        with self._reload_lock:
            if manifest_stamp(self.settings.index_dir) == self._loaded.dense.index.stamp:
                return  # another thread reloaded meanwhile
            try:
                self._loaded = self._load(force=False)
                logger.info("knowledge base reloaded: %d services", len(self._loaded.services))
            except (KnowledgeFormatError, OSError) as error:
                logger.error("keeping the previous knowledge base, the new one does not load: %s", error)
