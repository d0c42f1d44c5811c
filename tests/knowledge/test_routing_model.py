"""The level-1 model's two parts: the complement naive Bayes, the out-of-fold mixing with the regression, and
the stored weight matrix that carries both."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from scipy.sparse import csr_matrix

from knowledge.routing import features
from knowledge.routing.data import load_examples, load_keywords, load_taxonomy
from knowledge.routing.evaluation import cv_report
from knowledge.routing.model import build, fit_mixture, read_manifest, train, train_complement_nb
from knowledge.text import Segmenter
from tests.knowledge.test_routing import fixture_settings


def test_complement_naive_bayes_scores_each_class_by_its_own_words() -> None:
    # three features, two classes: feature 0 belongs to class 0, feature 1 to class 1, feature 2 to both
    x = csr_matrix(np.array([[2, 0, 1], [1, 0, 1], [0, 3, 1], [0, 1, 1]], dtype=np.float32))
    weights = train_complement_nb(x, np.array([0, 0, 1, 1]), 2)
    scores = np.array([[1, 0, 1], [0, 1, 1]], dtype=np.float32) @ weights
    assert scores.argmax(axis=1).tolist() == [0, 1]
    assert weights[0, 0] > weights[0, 1] and weights[1, 1] > weights[1, 0]
    np.testing.assert_allclose(weights.sum(axis=1), 0.0, atol=1e-5)  # centred per feature


def test_the_mixing_weight_follows_what_the_naive_bayes_adds() -> None:
    rng = np.random.default_rng(0)
    labels = np.arange(300) % 3
    informative = np.eye(3, dtype=np.float32)[labels] * 2.0 + rng.normal(0, 1, (300, 3)).astype(np.float32)
    noise = rng.normal(0, 1, (300, 3)).astype(np.float32)
    weight, temperature = fit_mixture(informative, noise, labels)
    # pure noise gets at most the first grid step (0.1 of the spread ratio), usually nothing
    assert weight <= 0.1 * float(np.std(informative) / np.std(noise)) * 1.5 and temperature > 0
    weak = np.eye(3, dtype=np.float32)[labels] * 0.3 + noise
    weight, _ = fit_mixture(weak, informative, labels)
    assert weight > 0


def test_the_stored_level1_matrix_is_the_regression_plus_the_weighted_naive_bayes(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    settings = fixture_settings(tmp_path_factory.mktemp("mixture"))
    manifest = build(settings)
    stored = read_manifest(settings.routing_model_dir)
    assert stored == manifest and manifest["nb_weight"] >= 0
    taxonomy = load_taxonomy(settings.categories_file)
    examples = load_examples(settings.routing_examples_file, taxonomy)
    keywords = load_keywords(settings.routing_keywords_file, taxonomy)
    segmenter = Segmenter(settings.dict_dir)
    prepared = [features.prepare(e.text) for e in examples]
    trained = train(taxonomy, keywords, prepared, [features.tokens(p, segmenter) for p in prepared], examples)
    with np.load(settings.routing_model_dir / manifest["weights"]) as weights:
        expected = trained.w1 + np.float32(manifest["nb_weight"]) * trained.nb
        np.testing.assert_allclose(weights["w1"], expected, rtol=1e-6, atol=1e-6)


def test_loading_the_router_does_not_import_scipy() -> None:
    # scipy is for training only: the gateway and the Rasa side import the router without it
    code = "import sys, knowledge.routing.router; print(any(m.startswith('scipy') for m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_the_cross_validation_report_agrees_with_the_out_of_fold_predictions(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    settings = fixture_settings(tmp_path_factory.mktemp("cv"))
    manifest = build(settings)
    taxonomy = load_taxonomy(settings.categories_file)
    examples = load_examples(settings.routing_examples_file, taxonomy)
    cv = manifest["cv"]
    assert list(cv["level1_f1"]) == list(taxonomy.level1)
    present = {e.level1 for e in examples}
    mean_f1 = sum(cv["level1_f1"][name] for name in present) / len(present)
    assert mean_f1 == pytest.approx(cv["level1_macro_f1"], abs=1e-3)
    # every error is one confusion: the pairs kept never count more errors than the accuracy leaves
    errors = round((1 - cv["level1_accuracy"]) * len(examples))
    assert sum(count for _, _, count in cv["confused_pairs"]) <= errors
    assert all(a < b and a in taxonomy.level1 and b in taxonomy.level1 for a, b, _ in cv["confused_pairs"])
    styles = {e.style for e in examples}
    assert set(cv["style_accuracy"]) == styles
    weighted = sum(cv["style_accuracy"][s] * sum(e.style == s for e in examples) for s in styles) / len(examples)
    assert weighted == pytest.approx(cv["level1_accuracy"], abs=1e-3)
    report = cv_report(manifest)
    assert f"macro-F1 {cv['level1_macro_f1']:.3f}" in report and "most confused" in report
