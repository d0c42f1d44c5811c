"""Search latency and throughput, at catalogue size and for a synthetic large knowledge base."""

from __future__ import annotations

import random
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np

from knowledge.evaluation import read_questions
from knowledge.knowledge_base import KnowledgeBase
from knowledge.schema import Service

BATCH = 32
# Passages per synthetic service (name, summary, three questions): 10,000 services make 50,000 passages.
SYNTHETIC_QUESTIONS = 3


def run_bench(kb: KnowledgeBase, synthetic_size: int) -> str:
    queries = _queries(kb)
    lines = [f"queries: {len(queries)} resident questions; {BATCH} per batch; 2-core CPU"]
    lines += _measure(f"catalogue ({len(kb.services)} services)", kb, queries)
    if synthetic_size:
        with tempfile.TemporaryDirectory(prefix="knowledge-bench-") as index_dir:
            started = time.perf_counter()
            large = SyntheticKnowledgeBase(kb, synthetic_size, Path(index_dir))
            index = large._loaded.dense.index
            lines.append(
                f"synthetic knowledge base: {synthetic_size} services, {len(index.passages)} passages, "
                f"{'with' if index.graph else 'without'} passage graph, built in {time.perf_counter() - started:.0f}s"
            )
            lines += _graph_agreement(large, queries)
            lines += _measure(f"synthetic ({synthetic_size} services)", large, queries)
    return "\n".join(lines)


def _queries(kb: KnowledgeBase) -> list[str]:
    if kb.settings.eval_file.is_file():
        return [q.text for q in read_questions(kb.settings.eval_file)]
    return [question for service in kb.services for question in service.questions]


def _graph_agreement(kb: KnowledgeBase, queries: Sequence[str]) -> list[str]:
    """How often search through the passage graph puts the same service first as brute force does."""
    loaded = kb._loaded
    if loaded.dense.index.graph is None:
        return []
    exact = replace(loaded, dense=loaded.dense.without_graph())
    shares = [
        f"{mode} {np.mean(kb.score(queries, mode).argmax(1) == kb.score(queries, mode, exact).argmax(1)):.1%}"
        for mode in ("dense", "hybrid")
    ]
    return [f"same top-1 through the passage graph as by brute force: {', '.join(shares)}"]


def _measure(label: str, kb: KnowledgeBase, queries: Sequence[str]) -> list[str]:
    kb.search_many(queries[:BATCH])  # warm-up: first calls pay for lazy loading
    single = _timings(lambda batch: kb.search(batch[0]), [[q] for q in queries])
    batches = [list(queries[i : i + BATCH]) for i in range(0, len(queries), BATCH)]
    batched = _timings(kb.search_many, batches) / np.asarray([len(b) for b in batches])
    return [_line(f"{label}: single ", single), _line(f"{label}: batched", batched) + " (per query)"]


def _timings(call: Callable[[list[str]], object], inputs: Sequence[list[str]]) -> np.ndarray:
    """(2, len(inputs)) seconds: wall clock, and the CPU time of this process.

    Wall clock is what a resident waits; CPU time is the work a query costs, which other processes
    competing for the 2 cores do not inflate.
    """
    seconds = []
    for item in inputs:
        wall, cpu = time.perf_counter(), time.process_time()
        call(item)
        seconds.append((time.perf_counter() - wall, time.process_time() - cpu))
    return np.asarray(seconds).T


def _line(label: str, seconds: np.ndarray) -> str:
    wall, cpu = seconds
    return (
        f"{label} p50 {_ms(wall, 50)}  p99 {_ms(wall, 99)}  {1 / wall.mean():6.0f} queries/s"
        f"  | CPU p50 {_ms(cpu, 50)}  p99 {_ms(cpu, 99)}"
    )


def _ms(seconds: np.ndarray, percentile: int) -> str:
    return f"{np.percentile(seconds, percentile) * 1000:6.2f} ms"


def synthetic_services(services: Sequence[Service], size: int) -> list[Service]:
    """``size`` distinct services recombined from the real ones (names, questions and keywords mixed)."""
    rng = random.Random(0)
    made = []
    for number in range(size):
        base, other = rng.choice(services), rng.choice(services)
        questions = rng.sample(base.questions, min(SYNTHETIC_QUESTIONS, len(base.questions)))
        made.append(
            replace(
                base,
                slug=f"synthetic-{number}",
                name=f"{base.name}（{other.keywords[0] if other.keywords else other.name}专项{number}）",
                aliases=(),
                keywords=(),
                summary=f"{base.summary}（第{number}号示例事项，涉及{other.name}）",
                questions=tuple(f"{question}（{number}号）" for question in questions),
            )
        )
    return made


class SyntheticKnowledgeBase(KnowledgeBase):
    """The same search code over synthetic services, with its own temporary index."""

    def __init__(self, real: KnowledgeBase, size: int, index_dir: Path) -> None:
        self._synthetic = synthetic_services(real.services, size)
        super().__init__(real.settings.with_changes(index_dir=index_dir), real.embedder)

    def _read_services(self) -> list[Service]:
        return self._synthetic
