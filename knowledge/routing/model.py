"""Training, calibration, storage and staleness of the router model (docs/routing.md).

Level-1: a multinomial logistic regression plus a complement naive Bayes over the features of ``features.py``,
stored as one weight matrix; level-2: one regression per level-1 category, trained on that category's
examples. Full-batch Adam from zero weights, fixed iterations, stable sort orders and fixed fold seeds: the
same data gives the same bytes.

The naive Bayes weight and the level-1 temperature minimize the negative log-likelihood of out-of-fold logits
of a stratified k-fold cross-validation of the training examples (the held-out file is never read here).

Artefact directory (``KnowledgeSettings.routing_model_dir``, default ``var/index/routing``)::

    manifest.json              hashes of the examples, categories and keyword files and of this code, the
                               temperature, cross-validation figures, the two file names; written last
    weights-<hash>.npz         w1 (features x level-1, regression + weighted naive Bayes), w2 (features x
                               level-2 pairs), idf: float32
    vocabulary-<hash>.json     term features, level-1 names, level-2 pairs, evidence keywords
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import zipfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from knowledge.index import _atomic_write
from knowledge.routing import data as routing_data
from knowledge.routing import features
from knowledge.routing.data import Example, RoutingDataError, Taxonomy, file_hash
from knowledge.routing.features import Vectorizer, Vocabulary
from knowledge.settings import KnowledgeSettings
from knowledge.text import Segmenter

if TYPE_CHECKING:
    from scipy.sparse import csr_matrix

logger = logging.getLogger(__name__)

MANIFEST = "manifest.json"
FORMAT_VERSION = 1
FOLDS = 5
SEED = 13
ITERATIONS = 100
LEARNING_RATE = 0.1
L2 = 1e-5
NB_ALPHA = 0.03  # additive smoothing; with every term kept (MIN_DF 1) less smoothing lets rare terms count
NB_WEIGHTS = tuple(step / 10 for step in range(11))  # mixing weights tried, relative to the logits' spread
ECE_BINS = 10
CONFUSED_PAIRS = 8  # most confused level-1 pairs kept in the manifest


def code_version() -> str:
    """Hash of the code that determines the artefact (features, data loading, training)."""
    digest = hashlib.sha256()
    for module in (routing_data, features):
        digest.update(Path(str(module.__file__)).read_bytes())
    digest.update(Path(__file__).read_bytes())
    return digest.hexdigest()[:16]


def softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=-1, keepdims=True)
    exp = np.exp(shifted)
    return np.asarray(exp / exp.sum(axis=-1, keepdims=True))


def train_softmax(x: csr_matrix, labels: np.ndarray, classes: int) -> np.ndarray:
    """Weights (features x classes) of an L2-regularized multinomial logistic regression."""
    rows, columns = x.shape
    weights = np.zeros((columns, classes), dtype=np.float32)
    if classes < 2 or rows == 0:
        return weights
    target = np.zeros((rows, classes), dtype=np.float32)
    target[np.arange(rows), labels] = 1.0
    transposed = x.T.tocsr()
    first = np.zeros_like(weights)
    second = np.zeros_like(weights)
    beta1, beta2, epsilon = 0.9, 0.999, 1e-8
    for step in range(1, ITERATIONS + 1):
        gradient = transposed @ ((softmax(x @ weights) - target) / rows) + L2 * weights
        first = beta1 * first + (1 - beta1) * gradient
        second = beta2 * second + (1 - beta2) * gradient * gradient
        corrected = first / (1 - beta1**step)
        scale = np.sqrt(second / (1 - beta2**step)) + epsilon
        weights -= (LEARNING_RATE * corrected / scale).astype(np.float32)
    return weights


def train_complement_nb(x: csr_matrix, labels: np.ndarray, classes: int) -> np.ndarray:
    """Weights (features x classes) of a complement naive Bayes (Rennie et al. 2003) on the same features.

    Linear in the features like the regression, so the two are mixed into one weight matrix; it estimates
    each class from the other classes' (more numerous) examples and generalizes better to new wordings.
    """
    totals = np.asarray(x.sum(axis=0), dtype=np.float64).ravel()
    complement = np.empty((x.shape[1], classes), dtype=np.float64)
    for label in range(classes):
        inside = np.asarray(x[labels == label].sum(axis=0), dtype=np.float64).ravel()
        complement[:, label] = totals - inside + NB_ALPHA
    weights = -np.log(complement / complement.sum(axis=0, keepdims=True))
    # centred per feature: the same logits up to a per-text constant, which softmax ignores
    return (weights - weights.mean(axis=1, keepdims=True)).astype(np.float32)


@dataclass(frozen=True)
class Trained:
    vocabulary: Vocabulary
    w1: np.ndarray  # the regression's level-1 weights
    nb: np.ndarray  # the complement naive Bayes level-1 weights
    w2: np.ndarray  # level-2 pairs of each level-1 category are contiguous columns, in taxonomy order


def pairs_of(taxonomy: Taxonomy) -> list[tuple[str, str]]:
    return [(level1, level2) for level1 in taxonomy.level1 for level2 in taxonomy.level2[level1]]


def train(
    taxonomy: Taxonomy,
    keywords: dict[tuple[str, str], tuple[str, ...]],
    prepared: Sequence[str],
    documents: Sequence[Sequence[str]],
    examples: Sequence[Example],
) -> Trained:
    pairs = pairs_of(taxonomy)
    vocabulary = Vocabulary.fit(documents, taxonomy.level1, pairs, keywords)
    x = Vectorizer(vocabulary).matrix(prepared, documents)
    level1_position = {name: i for i, name in enumerate(taxonomy.level1)}
    labels = np.array([level1_position[e.level1] for e in examples])
    w1 = train_softmax(x, labels, len(taxonomy.level1))
    nb = train_complement_nb(x, labels, len(taxonomy.level1))
    w2 = np.zeros((vocabulary.size, len(pairs)), dtype=np.float32)
    start = 0
    for level1 in taxonomy.level1:
        names = taxonomy.level2[level1]
        rows = np.array([i for i, e in enumerate(examples) if e.level1 == level1 and e.level2], dtype=np.int64)
        if len(names) > 1 and len(rows):
            labels = np.array([names.index(examples[i].level2) for i in rows])
            w2[:, start : start + len(names)] = train_softmax(x[rows], labels, len(names))
        start += len(names)
    return Trained(vocabulary, w1, nb, w2)


def level2_slices(taxonomy: Taxonomy) -> dict[str, slice]:
    slices: dict[str, slice] = {}
    start = 0
    for level1 in taxonomy.level1:
        slices[level1] = slice(start, start + len(taxonomy.level2[level1]))
        start += len(taxonomy.level2[level1])
    return slices


def stratified_folds(examples: Sequence[Example], folds: int = FOLDS, seed: int = SEED) -> np.ndarray:
    """Fold number of each example: each level-1 category's examples shuffled (fixed seed) and dealt out."""
    assignment = np.zeros(len(examples), dtype=np.int64)
    rng = np.random.default_rng(seed)
    for level1 in sorted({e.level1 for e in examples}):
        members = np.array([i for i, e in enumerate(examples) if e.level1 == level1], dtype=np.int64)
        assignment[members[rng.permutation(len(members))]] = np.arange(len(members)) % folds
    return assignment


def fit_temperature(logits: np.ndarray, labels: np.ndarray) -> float:
    """The temperature (grid 0.05..20, log-spaced) minimizing the negative log-likelihood."""
    best, best_loss = 1.0, float("inf")
    for temperature in np.exp(np.linspace(np.log(0.05), np.log(20.0), 241)):
        loss = _nll(softmax(logits / temperature), labels)
        if loss < best_loss - 1e-12:
            best, best_loss = float(temperature), loss
    return best


def expected_calibration_error(confidence: np.ndarray, correct: np.ndarray, bins: int = ECE_BINS) -> float:
    edges = np.linspace(0.0, 1.0, bins + 1)
    total = 0.0
    for low, high in zip(edges[:-1], edges[1:], strict=True):
        inside = (confidence > low) & (confidence <= high) if low > 0 else (confidence >= low) & (confidence <= high)
        if inside.any():
            total += inside.mean() * abs(float(confidence[inside].mean()) - float(correct[inside].mean()))
    return float(total)


def macro_f1(gold: Sequence[str], predicted: Sequence[str], labels: Sequence[str]) -> tuple[float, dict[str, float]]:
    per_label: dict[str, float] = {}
    for label in labels:
        tp = sum(1 for g, p in zip(gold, predicted, strict=True) if g == label and p == label)
        fp = sum(1 for g, p in zip(gold, predicted, strict=True) if g != label and p == label)
        fn = sum(1 for g, p in zip(gold, predicted, strict=True) if g == label and p != label)
        per_label[label] = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
    present = [label for label in labels if label in set(gold)]
    return (sum(per_label[label] for label in present) / len(present) if present else 0.0), per_label


def fit_mixture(regression: np.ndarray, bayes: np.ndarray, labels: np.ndarray) -> tuple[float, float]:
    """The weight of the naive Bayes logits added to the regression's and the temperature of the sum, both
    minimizing the negative log-likelihood of out-of-fold logits (weights tried: ``NB_WEIGHTS`` times the ratio
    of the two logits' spreads, so the grid means the same whatever the scales)."""
    ratio = _spread(regression) / max(_spread(bayes), 1e-12)
    best, best_loss = (0.0, 1.0), float("inf")
    for share in NB_WEIGHTS:
        logits = regression + share * ratio * bayes
        temperature = fit_temperature(logits, labels)
        loss = _nll(softmax(logits / temperature), labels)
        if loss < best_loss - 1e-12:
            best, best_loss = (share * ratio, temperature), loss
    return best


def _spread(logits: np.ndarray) -> float:
    return float(np.std(logits - logits.mean(axis=1, keepdims=True)))


def _nll(probabilities: np.ndarray, labels: np.ndarray) -> float:
    return float(-np.mean(np.log(probabilities[np.arange(len(labels)), labels] + 1e-12)))


@dataclass(frozen=True)
class Sources:
    taxonomy: Taxonomy
    keywords: dict[tuple[str, str], tuple[str, ...]]
    examples: list[Example]
    hashes: dict[str, str]


def read_sources(settings: KnowledgeSettings) -> Sources:
    taxonomy = routing_data.load_taxonomy(settings.categories_file)
    keywords = routing_data.load_keywords(settings.routing_keywords_file, taxonomy)
    examples = routing_data.load_examples(settings.routing_examples_file, taxonomy)
    routing_data.load_overrides(settings.department_overrides_file, taxonomy)  # validated now, applied at routing
    return Sources(taxonomy, keywords, examples, source_hashes(settings))


def source_hashes(settings: KnowledgeSettings) -> dict[str, str]:
    keywords = settings.routing_keywords_file
    return {
        "examples": file_hash(settings.routing_examples_file),
        "categories": file_hash(settings.categories_file),
        "keywords": file_hash(keywords) if keywords.is_file() else "",
        "code": code_version(),
    }


def read_manifest(model_dir: Path) -> dict[str, Any] | None:
    try:
        manifest = json.loads((model_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return manifest if isinstance(manifest, dict) and manifest.get("format") == FORMAT_VERSION else None


def staleness(settings: KnowledgeSettings) -> str | None:
    """Why the stored model does not match the data files and code (None: it is up to date)."""
    manifest = read_manifest(settings.routing_model_dir)
    if manifest is None:
        return "no model"
    try:
        current = source_hashes(settings)
    except OSError as error:
        return f"cannot read the sources: {error}"
    changed = [name for name, value in current.items() if manifest.get("sources", {}).get(name) != value]
    if changed:
        return f"changed: {', '.join(changed)}"
    for key in ("weights", "vocabulary"):
        if not (settings.routing_model_dir / str(manifest.get(key))).is_file():
            return f"missing {key} file"
    return None


@dataclass(frozen=True)
class OutOfFold:
    """Each training example's level-1 logits (regression, naive Bayes) and level-2 scores from the fold model
    that did not see it."""

    regression: np.ndarray
    bayes: np.ndarray
    pair_scores: np.ndarray


def out_of_fold(sources: Sources, prepared: list[str], documents: list[list[str]]) -> OutOfFold:
    """Stratified k-fold cross-validation; each fold retrains the whole pipeline, vocabulary included."""
    taxonomy, examples = sources.taxonomy, sources.examples
    folds = stratified_folds(examples)
    regression = np.zeros((len(examples), len(taxonomy.level1)), dtype=np.float32)
    bayes = np.zeros_like(regression)
    pair_scores = np.zeros((len(examples), len(pairs_of(taxonomy))), dtype=np.float32)
    for fold in range(FOLDS):
        train_rows = [i for i in range(len(examples)) if folds[i] != fold]
        test_rows = [i for i in range(len(examples)) if folds[i] == fold]
        if not train_rows or not test_rows:
            continue
        trained = train(
            taxonomy,
            sources.keywords,
            [prepared[i] for i in train_rows],
            [documents[i] for i in train_rows],
            [examples[i] for i in train_rows],
        )
        x = Vectorizer(trained.vocabulary).matrix([prepared[i] for i in test_rows], [documents[i] for i in test_rows])
        regression[test_rows] = x @ trained.w1
        bayes[test_rows] = x @ trained.nb
        pair_scores[test_rows] = x @ trained.w2
    return OutOfFold(regression, bayes, pair_scores)


def cross_validate(sources: Sources, prepared: list[str], documents: list[list[str]]) -> dict[str, Any]:
    """The mixing weight and the temperature fitted on the out-of-fold logits, and the figures of the mixture:
    accuracy, macro-F1, per-category F1, accuracy per style and the most confused pairs (what to work on when
    writing examples, without looking at the held-out file)."""
    taxonomy, examples = sources.taxonomy, sources.examples
    scores = out_of_fold(sources, prepared, documents)
    labels = np.array([taxonomy.level1.index(e.level1) for e in examples])
    nb_weight, temperature = fit_mixture(scores.regression, scores.bayes, labels)
    logits = scores.regression + nb_weight * scores.bayes
    probabilities = softmax(logits / temperature)
    predicted1 = [taxonomy.level1[int(i)] for i in probabilities.argmax(axis=1)]
    slices = level2_slices(taxonomy)
    level2 = [
        taxonomy.level2[level1][int(np.argmax(scores.pair_scores[i, slices[level1]]))]
        if taxonomy.level2[level1]
        else None
        for i, level1 in enumerate(predicted1)
    ]
    gold1 = [e.level1 for e in examples]
    correct = np.array([g == p for g, p in zip(gold1, predicted1, strict=True)])
    f1, per_category = macro_f1(gold1, predicted1, taxonomy.level1)
    with_level2 = [i for i, e in enumerate(examples) if e.level2]
    confused = Counter(tuple(sorted((g, p))) for g, p in zip(gold1, predicted1, strict=True) if g != p)
    return {
        "temperature": round(temperature, 6),
        "nb_weight": round(nb_weight, 6),
        "cv": {
            "folds": FOLDS,
            "level1_accuracy": round(float(correct.mean()), 4),
            "level1_macro_f1": round(f1, 4),
            "level2_accuracy": round(
                float(np.mean([examples[i].level2 == level2[i] for i in with_level2])) if with_level2 else 0.0, 4
            ),
            "ece_before_calibration": round(
                expected_calibration_error(softmax(logits).max(axis=1), labels == logits.argmax(axis=1)), 4
            ),
            "ece_after_calibration": round(
                expected_calibration_error(probabilities.max(axis=1), labels == probabilities.argmax(axis=1)), 4
            ),
            "level1_f1": {name: round(per_category[name], 4) for name in taxonomy.level1},
            "style_accuracy": {
                style: round(float(correct[[e.style == style for e in examples]].mean()), 4)
                for style in sorted({e.style for e in examples})
            },
            "confused_pairs": [[a, b, count] for (a, b), count in confused.most_common(CONFUSED_PAIRS)],
        },
    }


def build(settings: KnowledgeSettings) -> dict[str, Any]:
    """Train on the examples file and store the artefact; returns its manifest."""
    sources = read_sources(settings)
    segmenter = Segmenter(settings.dict_dir)
    prepared = [features.prepare(e.text) for e in sources.examples]
    documents = [features.tokens(text, segmenter) for text in prepared]
    calibration = cross_validate(sources, prepared, documents)
    trained = train(sources.taxonomy, sources.keywords, prepared, documents, sources.examples)
    # one level-1 weight matrix: the regression plus the naive Bayes at the cross-validated weight
    w1 = trained.w1 + np.float32(calibration["nb_weight"]) * trained.nb
    weights = npz_bytes({"w1": w1, "w2": trained.w2, "idf": trained.vocabulary.idf})
    vocabulary = json.dumps(
        {
            "terms": list(trained.vocabulary.terms),
            "level1": list(trained.vocabulary.level1),
            "pairs": [list(pair) for pair in trained.vocabulary.pairs],
            "keywords": [[level1, level2, list(words)] for (level1, level2), words in sorted(sources.keywords.items())],
        },
        ensure_ascii=False,
        sort_keys=True,
    ).encode("utf-8")
    model_hash = hashlib.sha256(weights + vocabulary).hexdigest()
    model_dir = settings.routing_model_dir
    model_dir.mkdir(parents=True, exist_ok=True)
    names = {"weights": f"weights-{model_hash[:16]}.npz", "vocabulary": f"vocabulary-{model_hash[:16]}.json"}
    _atomic_write(model_dir / names["weights"], lambda temporary: temporary.write_bytes(weights))
    _atomic_write(model_dir / names["vocabulary"], lambda temporary: temporary.write_bytes(vocabulary))
    manifest: dict[str, Any] = {
        "format": FORMAT_VERSION,
        "sources": sources.hashes,
        "model_sha256": model_hash,
        **names,
        "read_chars": features.READ_CHARS,
        "examples": len(sources.examples),
        "features": trained.vocabulary.size,
        **calibration,
    }
    payload = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")
    _atomic_write(model_dir / MANIFEST, lambda temporary: temporary.write_bytes(payload))
    for path in [*model_dir.glob("weights-*.npz"), *model_dir.glob("vocabulary-*.json")]:
        if path.name not in names.values():
            path.unlink(missing_ok=True)
    return manifest


def ensure_model(settings: KnowledgeSettings, force: bool = False) -> tuple[dict[str, Any], bool]:
    """The stored manifest when the model is up to date, else build one; and whether it was built now."""
    reason = "forced" if force else staleness(settings)
    if reason is None:
        manifest = read_manifest(settings.routing_model_dir)
        assert manifest is not None
        return manifest, False
    logger.info("building the routing model (%s)", reason)
    return build(settings), True


def npz_bytes(arrays: dict[str, np.ndarray]) -> bytes:
    """An .npz archive with fixed member dates (``np.savez`` stamps the current time): same arrays, same bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in sorted(arrays):
            member = io.BytesIO()
            np.lib.format.write_array(member, np.ascontiguousarray(arrays[name]), allow_pickle=False)
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, member.getvalue())
    return buffer.getvalue()


__all__ = ["RoutingDataError", "build", "ensure_model", "staleness"]
