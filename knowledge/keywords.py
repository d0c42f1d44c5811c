"""Salient words of a text: TF-IDF as ``jieba.analyse.extract_tags`` computes it, on the process's one jieba.

``jieba.analyse`` would load a second jieba dictionary (its global tokenizer, besides the project's of
``text.py`` that routing and search already hold), its part-of-speech tables and its IDF table as a dict:
measured +159 MB in the gateway. Here the words come from the project's tokenizer (jieba's dictionary plus
the project's words) and the IDF table is held as a ``compact.StringTable`` (about 5 MB).
"""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np

from knowledge.compact import StringTable, release_freed_memory
from knowledge.text import Segmenter

# jieba.analyse's own stopwords (the TF-IDF step ignores them; callers filter their generic words themselves).
STOP_WORDS = frozenset(
    "the of is and to in that we for an are by be as on with can if from which you it this then at have all "
    "not one has or".split()
)


class IdfTable:
    """Inverse document frequencies of jieba's table, and their median for a word it does not list."""

    def __init__(self, path: Path) -> None:
        table: dict[str, float] = {}
        for line in path.read_text(encoding="utf-8").splitlines():
            word, value = line.strip().split(" ")
            table[word] = float(value)  # a repeated word: the last line counts, as in jieba
        self._table = StringTable(table, np.float64)
        self.median = float(np.sort(self._table.values())[len(table) // 2])

    def idf(self, word: str) -> float:
        return float(self._table.get(word, self.median))


_table: IdfTable | None = None
_table_lock = threading.Lock()


def idf_table() -> IdfTable:
    """jieba's IDF table, read when first needed (the dashboard's hot topics), once per process."""
    global _table
    with _table_lock:
        if _table is None:
            import jieba

            _table = IdfTable(Path(jieba.__file__).parent / "analyse" / "idf.txt")
            release_freed_memory()  # the parse's dict: 19 MB resident instead of 5 MB otherwise
        return _table


def salient_words(text: str, segmenter: Segmenter, top: int) -> list[str]:
    """The ``top`` words of ``text`` by term frequency times inverse document frequency, best first."""
    counts: dict[str, float] = {}
    for word in segmenter.jieba().cut(text):
        if len(word.strip()) < 2 or word.lower() in STOP_WORDS:
            continue
        counts[word] = counts.get(word, 0.0) + 1.0
    total = sum(counts.values())
    table = idf_table()
    weights = {word: count * (table.idf(word) / total) for word, count in counts.items()}  # jieba's order
    return sorted(weights, key=weights.__getitem__, reverse=True)[:top]
