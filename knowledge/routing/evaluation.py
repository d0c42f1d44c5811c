"""``python -m knowledge route-eval`` and ``route-bench``: held-out quality and routing latency."""

from __future__ import annotations

import os
import statistics
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from knowledge.routing.data import load_examples
from knowledge.routing.features import prepare
from knowledge.routing.model import expected_calibration_error, macro_f1
from knowledge.routing.router import Router

THRESHOLDS = (0.5, 0.75, 0.85, 0.9, 0.95)


def evaluate(router: Router, heldout: Path, title: str = "held-out") -> str:
    """Level-1 accuracy and macro-F1, level-2 accuracy, per-category F1, confusions and ECE on ``heldout``,
    and the share routed automatically at each confidence threshold."""
    examples = load_examples(heldout, router.taxonomy)
    routed = [router.route(e.text) for e in examples]
    gold = [e.level1 for e in examples]
    predicted = [r.category for r in routed]
    correct = np.array([g == p for g, p in zip(gold, predicted, strict=True)])
    confidence = np.array([r.confidence for r in routed])
    f1, per_category = macro_f1(gold, predicted, router.taxonomy.level1)
    with_level2 = [i for i, e in enumerate(examples) if e.level2]
    level2_accuracy = np.mean([examples[i].level2 == routed[i].subcategory for i in with_level2]) if with_level2 else 0
    both = (
        np.mean([correct[i] and examples[i].level2 == routed[i].subcategory for i in with_level2]) if with_level2 else 0
    )
    top3 = np.mean([e.level1 in {a.category for a in r.alternatives} for e, r in zip(examples, routed, strict=True)])
    lines = [
        f"routing {title}: {len(examples)} requests ({heldout})",
        f"  level-1 accuracy {correct.mean():.3f}   macro-F1 {f1:.3f}   top-3 {top3:.3f}",
        f"  level-2 accuracy {level2_accuracy:.3f} (level-1 and level-2 both right: {both:.3f})",
        f"  ECE (10 bins, level-1 confidence) {expected_calibration_error(confidence, correct):.3f}   "
        f"mean confidence {confidence.mean():.3f}",
    ]
    for style in ("chat", "letter"):
        rows = [i for i, e in enumerate(examples) if e.style == style]
        if rows:
            lines.append(f"  {style}: {len(rows)} requests, level-1 accuracy {correct[rows].mean():.3f}")
    lines.extend(cv_report(router.manifest, held_out=True).splitlines())
    lines.append("  per-category F1 (support):")
    support = Counter(gold)
    for name in router.taxonomy.level1:
        if support[name]:
            lines.append(f"    {name:<10}\t{per_category[name]:.3f}\t({support[name]})")
    confusions = Counter(tuple(sorted((g, p))) for g, p in zip(gold, predicted, strict=True) if g != p).most_common(5)
    if confusions:
        lines.append("  most confused level-1 pairs (either direction):")
        lines.extend(f"    {a} <-> {b}: {count}" for (a, b), count in confusions)
    lines.append("  confidence threshold: share routed automatically, level-1 accuracy of those / of the rest:")
    for threshold in THRESHOLDS:
        routed_here = confidence >= threshold
        above = f"{correct[routed_here].mean():.3f}" if routed_here.any() else "-"
        below = f"{correct[~routed_here].mean():.3f}" if (~routed_here).any() else "-"
        lines.append(f"    {threshold:.2f}: {routed_here.mean():.2f}, {above} / {below}")
    return "\n".join(lines)


def cv_report(manifest: dict[str, Any], held_out: bool = False) -> str:
    """The build's k-fold cross-validation figures on the training examples (``route-cv``): what to work on
    when writing examples or changing the model, read without the held-out file. ``held_out``: only the
    summary line, as a comparison under the held-out figures."""
    cv = manifest.get("cv")
    if not isinstance(cv, dict):
        return "  no cross-validation figures in the manifest"
    lines = [
        f"  {cv['folds']}-fold cross-validation on the {manifest.get('examples', '?')} training examples: "
        f"level-1 accuracy {cv['level1_accuracy']:.3f}, macro-F1 {cv['level1_macro_f1']:.3f}, level-2 accuracy "
        f"{cv['level2_accuracy']:.3f}, ECE {cv['ece_before_calibration']:.3f} before / "
        f"{cv['ece_after_calibration']:.3f} after temperature {manifest.get('temperature', 1.0):.3f}"
    ]
    if held_out:
        return lines[0]
    lines.extend(f"  {style}: level-1 accuracy {value:.3f}" for style, value in cv.get("style_accuracy", {}).items())
    lines.append("  per-category F1:")
    lines.extend(f"    {name:<10}\t{value:.3f}" for name, value in cv.get("level1_f1", {}).items())
    lines.append("  most confused level-1 pairs (either direction):")
    lines.extend(f"    {a} <-> {b}: {count}" for a, b, count in cv.get("confused_pairs", []))
    return "\n".join(lines)


def bench(router: Router, texts: list[str], rounds: int = 3) -> str:
    """p50/p95 of one ``route`` call, single thread, for the given texts and for a 3,000-character letter."""
    letter = "尊敬的市长：您好！" + "".join(texts)[:2990] + "此致敬礼"
    for text in texts[:20]:
        router.route(text)  # warm caches (pinyin/jieba)

    def timings(samples: list[str]) -> list[float]:
        found = []
        for _ in range(rounds):
            for text in samples:
                started = time.perf_counter()
                router.route(text)
                found.append((time.perf_counter() - started) * 1000)
        return found

    def summary(name: str, values: list[float]) -> str:
        ordered = sorted(values)
        p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
        return f"  {name}: p50 {statistics.median(ordered):.2f} ms, p95 {p95:.2f} ms ({len(ordered)} calls)"

    prepared_length = statistics.mean(len(prepare(t)) for t in texts) if texts else 0
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return "\n".join(
        [
            f"routing latency, one thread, {cores} cores available "
            f"(mean {prepared_length:.0f} characters read per request):",
            summary("requests", timings(texts)),
            summary(f"{len(letter)}-character letter", timings([letter] * 20)),
        ]
    )


__all__ = ["bench", "cv_report", "evaluate"]
