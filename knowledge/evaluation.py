"""Retrieval evaluation on knowledge/eval/questions.tsv: accuracy, MRR, out-of-scope rejection and the
threshold curve.

Thresholds are chosen on split=tune only; split=test is reported with the thresholds from tune.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from knowledge.knowledge_base import KnowledgeBase
from knowledge.settings import MODES

# The most in-scope questions the threshold may turn away on split=tune when it is chosen.
MAX_FALSE_REJECTION = 0.03
SPLITS = ("tune", "test")


@dataclass(frozen=True)
class Question:
    text: str
    service: str  # "" = out of scope
    split: str


@dataclass(frozen=True)
class SplitScores:
    """Best score and rank of the right service for each question of one split in one mode."""

    in_scope_best: np.ndarray  # best score per in-scope question
    ranks: np.ndarray  # 1-based rank of the right service per in-scope question
    oos_best: np.ndarray  # best score per out-of-scope question

    def top(self, k: int) -> float:
        return float(np.mean(self.ranks <= k)) if len(self.ranks) else 0.0

    @property
    def mrr(self) -> float:
        return float(np.mean(1.0 / self.ranks)) if len(self.ranks) else 0.0

    def oos_rejected(self, threshold: float) -> float:
        return float(np.mean(self.oos_best < threshold)) if len(self.oos_best) else 0.0

    def false_rejected(self, threshold: float) -> float:
        return float(np.mean(self.in_scope_best < threshold)) if len(self.in_scope_best) else 0.0


def read_questions(path: Path) -> list[Question]:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    questions = [
        Question(row["question"].strip(), (row["service"] or "").strip(), row["split"].strip()) for row in rows
    ]
    unknown = {q.split for q in questions} - set(SPLITS)
    if unknown:
        raise ValueError(f"{path}: unknown split values {sorted(unknown)}")
    return questions


def scores_of(kb: KnowledgeBase, questions: Sequence[Question], scores: np.ndarray) -> SplitScores:
    names = [service.name for service in kb.services]
    in_best, ranks, oos_best = [], [], []
    for question, row in zip(questions, scores, strict=True):
        if question.service:
            right = names.index(question.service)
            in_best.append(row.max())
            ranks.append(1 + int(np.sum(row > row[right])))
        else:
            oos_best.append(row.max())
    return SplitScores(np.asarray(in_best), np.asarray(ranks), np.asarray(oos_best))


def choose_threshold(tune: SplitScores, max_false_rejection: float = MAX_FALSE_REJECTION) -> float:
    """The highest threshold turning away at most ``max_false_rejection`` of the in-scope tune questions."""
    ordered = np.sort(tune.in_scope_best)
    allowed = int(np.floor(max_false_rejection * len(ordered)))
    return float(ordered[allowed]) if len(ordered) else 0.0


def threshold_curve(scores: SplitScores, points: int = 11) -> list[tuple[float, float, float]]:
    """(threshold, OOS rejected, in-scope rejected) around the range where the two distributions overlap."""
    low = float(np.quantile(scores.oos_best, 0.1)) if len(scores.oos_best) else 0.0
    high = float(np.quantile(scores.in_scope_best, 0.2)) if len(scores.in_scope_best) else 1.0
    return [
        (float(t), scores.oos_rejected(float(t)), scores.false_rejected(float(t)))
        for t in np.linspace(min(low, high), max(low, high), points)
    ]


CANDIDATE_FRACTIONS = (0.6, 0.7, 0.8, 0.9)
CANDIDATES = 3  # as many as the assistant offers


def candidate_curve(
    questions: Sequence[Question], scores: np.ndarray, threshold: float, names: Sequence[str]
) -> list[tuple[float, str, str]]:
    """For the questions the threshold leaves unanswered, per fraction of the threshold below which a guide is not
    offered as a choice: how many in-scope ones have their service among the offered choices, and how many
    out-of-scope ones are offered any (unrelated guides) instead of going to a person."""
    unsure = [(q, row) for q, row in zip(questions, scores, strict=True) if row.max() < threshold]
    in_scope = [(names.index(q.service), row) for q, row in unsure if q.service]
    oos = [row for q, row in unsure if not q.service]
    curve = []
    for fraction in CANDIDATE_FRACTIONS:
        floor = fraction * threshold
        offered = sum(1 for right, row in in_scope if right in np.argsort(-row)[:CANDIDATES] and row[right] >= floor)
        curve.append(
            (fraction, f"{offered}/{len(in_scope)}", f"{sum(1 for row in oos if row.max() >= floor)}/{len(oos)}")
        )
    return curve


def as_answered(kb: KnowledgeBase, questions: Sequence[Question]) -> tuple[float, float, float]:
    """As the assistant answers (configured mode, its threshold and the document and procedure checks): in-scope
    answered with the right guide, in-scope answered with a wrong one, out-of-scope answered with any."""
    results = kb.search_many([q.text for q in questions])
    in_scope = [(q.service, r) for q, r in zip(questions, results, strict=True) if q.service]
    oos = [r for q, r in zip(questions, results, strict=True) if not q.service]
    right = sum(1 for service, r in in_scope if r.confident and r.hits[0].service == service)
    wrong = sum(1 for service, r in in_scope if r.confident and r.hits[0].service != service)
    answered_oos = sum(1 for r in oos if r.confident)
    return right / max(len(in_scope), 1), wrong / max(len(in_scope), 1), answered_oos / max(len(oos), 1)


def run_evaluation(kb: KnowledgeBase, questions_file: Path, modes: Sequence[str] = MODES) -> str:
    """The evaluation report as text (one table per mode)."""
    questions = read_questions(questions_file)
    known = {service.name for service in kb.services}
    missing = sorted({q.service for q in questions if q.service and q.service not in known})
    usable = [q for q in questions if not q.service or q.service in known]
    lines = [f"questions: {len(usable)} of {len(questions)} usable, {len(kb.services)} services loaded"]
    if missing:
        lines.append(f"skipped questions of {len(missing)} services not in the knowledge base: {', '.join(missing)}")
    for mode in modes:
        # Each split scored once: the summary and the candidate curve read the same scores.
        asked = {split: [q for q in usable if q.split == split] for split in SPLITS}
        scored = {split: kb.score([q.text for q in asked[split]], mode) for split in SPLITS}
        by_split = {split: scores_of(kb, asked[split], scored[split]) for split in SPLITS}
        threshold = kb.settings.thresholds[mode]
        lines.append("")
        lines.append(
            f"== {mode}  (configured threshold {threshold:.3f}; "
            f"split=tune would choose {choose_threshold(by_split['tune']):.3f})"
        )
        lines.append(
            f"{'split':6} {'n_in':>5} {'n_oos':>5} {'top1':>7} {'top3':>7} {'MRR':>6} {'OOS rej':>8} {'in rej':>7}"
        )
        for split, scores in by_split.items():
            lines.append(
                f"{split:6} {len(scores.ranks):5d} {len(scores.oos_best):5d} {scores.top(1):7.1%} "
                f"{scores.top(3):7.1%} {scores.mrr:6.3f} {scores.oos_rejected(threshold):8.1%} "
                f"{scores.false_rejected(threshold):7.1%}"
            )
        lines.append("threshold curve on tune (threshold: OOS rejected / in-scope rejected):")
        lines.append("  " + "  ".join(f"{t:.3f}: {o:.0%}/{f:.0%}" for t, o, f in threshold_curve(by_split["tune"])))
        lines.append(
            "candidates of unsure questions (fraction of the threshold: in-scope with their service offered / "
            f"out-of-scope offered any; configured {kb.settings.candidate_fraction}):"
        )
        for split in SPLITS:
            curve = candidate_curve(asked[split], scored[split], threshold, [s.name for s in kb.services])
            lines.append(f"  {split:6} " + "   ".join(f"{f}: {i} · {o}" for f, i, o in curve))
    lines.append("")
    lines.append(f"== as answered ({kb.settings.mode}: threshold, document and procedure checks)")
    lines.append(f"{'split':6} {'right':>7} {'wrong':>7} {'OOS answered':>13}")
    for split in SPLITS:
        right, wrong, answered_oos = as_answered(kb, [q for q in usable if q.split == split])
        lines.append(f"{split:6} {right:7.1%} {wrong:7.1%} {answered_oos:13.1%}")
    return "\n".join(lines)


def tune_dense_weight(kb: KnowledgeBase, questions_file: Path) -> str:
    """Hybrid quality on split=tune for dense weights 0..1: how ``KNOWLEDGE_DENSE_WEIGHT`` is chosen."""
    tune = [q for q in read_questions(questions_file) if q.split == "tune"]
    texts = [q.text for q in tune]
    dense, lexical = kb.score(texts, "dense"), kb.score(texts, "lexical")
    lines = [f"{'weight':>6} {'top1':>7} {'top3':>7} {'MRR':>6} {'threshold':>9} {'OOS rej':>8} {'in rej':>7}"]
    for weight in np.linspace(0, 1, 11):
        scores = scores_of(kb, tune, weight * dense + (1 - weight) * lexical)
        threshold = choose_threshold(scores)
        lines.append(
            f"{weight:6.1f} {scores.top(1):7.1%} {scores.top(3):7.1%} {scores.mrr:6.3f} {threshold:9.3f} "
            f"{scores.oos_rejected(threshold):8.1%} {scores.false_rejected(threshold):7.1%}"
        )
    return "\n".join(lines)


def misses(kb: KnowledgeBase, questions_file: Path, split: str, mode: str) -> list[str]:
    """The wrong or unconfident answers of one split, for looking at failures (never for editing data)."""
    questions = [q for q in read_questions(questions_file) if q.split == split]
    names = [service.name for service in kb.services]
    questions = [q for q in questions if not q.service or q.service in names]
    scores = kb.score([q.text for q in questions], mode)
    threshold = kb.settings.thresholds[mode]
    report = []
    for question, row in zip(questions, scores, strict=True):
        best = int(np.argmax(row))
        if question.service and (names[best] != question.service or row[best] < threshold):
            report.append(f"MISS {question.text} | want {question.service} | got {names[best]} {row[best]:.3f}")
        elif not question.service and row[best] >= threshold:
            report.append(f"OOS  {question.text} | got {names[best]} {row[best]:.3f}")
    return report
