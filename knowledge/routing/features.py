"""What the router reads of a text, and its features.

A text is normalized (NFKC, lower case, single spaces: ``knowledge.text.normalize``), a letter's greeting and
closing formulas are removed (尊敬的市长：您好！… 此致 敬礼), digit runs become one ``0`` (phone numbers, dates
and amounts carry no category), and only the first ``READ_CHARS`` characters are read: long letters state their
matter at the start, and the cost of routing stays bounded whatever the length.

Features: character 1-3-grams inside runs of letters/digits/Chinese, jieba words (project dictionary, stopwords
removed), TF-IDF weighted (sublinear tf, smoothed idf, L2-normalized row), plus one evidence feature per
level-1 and per level-2 category: log(1 + keyword hits), scaled by ``EVIDENCE_SCALE``.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from knowledge.text import Segmenter, normalize

if TYPE_CHECKING:
    from scipy.sparse import csr_matrix

READ_CHARS = 600
# Raw characters normalized: the read part survives the removed formulas and collapsed spaces, and a long
# letter costs no more than a short one.
RAW_CHARS = 4 * READ_CHARS
# With about 100 keywords a level-2 category, a small scale: the evidence nudges rather than outweighs the terms.
# Chosen on later batches of examples scored before they joined the training (docs/routing.md; third / fourth
# batch, with the lists of the first situational round): 0.5 gave 0.842 / 0.873, 0.25 0.859 / 0.876, 0.15
# 0.873 / 0.880, 0.08 0.879 / 0.876, none 0.867 / 0.887, but 0.949 against 0.965 at 0.15 on very short messages.
EVIDENCE_SCALE = 0.15
# Terms seen in one training example are kept: with the naive Bayes part, a rare word shared with one example
# (a place, a trade, a colloquial phrase) is evidence. 5-fold CV macro-F1: 0.898 at 2, 0.910 at 1 (NB_ALPHA 0.03).
MIN_DF = 1

_RUN = re.compile(r"[\u3400-\u9fffa-z0-9]+")
_DIGITS = re.compile(r"\d+")
_WORD = re.compile(r"[\u3400-\u9fff]{2,}|[a-z]{2,}")
_OPENING = re.compile(
    r"^(?:(?:尊敬的|敬爱的|亲爱的)[^，,：:！!。\s]{0,16}[，,：:！!。\s]*)?"
    r"(?:(?:各位)?(?:领导|市长|书记|工作人员|同志|老师)?(?:们)?(?:你|您)们?好[，,：:！!。\s]*)?"
)
_CLOSINGS = re.compile(
    r"(?:此致[，,\s]*敬礼|致以崇高的敬意|谢谢(?:您|你|领导)?(?:们)?|感谢(?:您|你|领导)?(?:们)?|盼复|望回复|"
    r"祝(?:您|领导)?工作顺利|顺祝商祺)[！!。，,\s]*"
)


def prepare(text: str) -> str:
    """The part of ``text`` the router reads (see the module docstring)."""
    text = normalize(text[:RAW_CHARS])
    text = _OPENING.sub("", text, count=1)
    text = _CLOSINGS.sub(" ", text)
    text = _DIGITS.sub("0", text)
    return text[:READ_CHARS].strip()


def tokens(prepared: str, segmenter: Segmenter) -> list[str]:
    """Character n-grams (``c:``) and jieba words (``w:``) of a prepared text, with repeats."""
    found: list[str] = []
    for run in _RUN.findall(prepared):
        for size in (1, 2, 3):
            found.extend(f"c:{run[i : i + size]}" for i in range(len(run) - size + 1))
    stopwords = segmenter.stopwords
    found.extend(
        f"w:{word}" for word in segmenter.jieba().lcut(prepared) if _WORD.fullmatch(word) and word not in stopwords
    )
    return found


@dataclass(frozen=True)
class Vocabulary:
    """Term features (sorted, with their idf) then the evidence features (level-1 names, then level-2 pairs).

    ``terms`` may be left empty by a process that only routes (``Router.load``): it then reads the terms through
    a compact index (``Vectorizer(..., index=)``), and ``idf`` says how many there are."""

    terms: tuple[str, ...]
    idf: np.ndarray  # float32, one per term
    level1: tuple[str, ...]
    pairs: tuple[tuple[str, str], ...]
    keywords: Mapping[tuple[str, str], tuple[str, ...]]

    @property
    def size(self) -> int:
        # terms, one evidence column per level-1 and per pair, and the constant (bias) column
        return len(self.idf) + len(self.level1) + len(self.pairs) + 1

    @classmethod
    def fit(
        cls,
        documents: Sequence[Sequence[str]],
        level1: Sequence[str],
        pairs: Sequence[tuple[str, str]],
        keywords: Mapping[tuple[str, str], tuple[str, ...]],
    ) -> Vocabulary:
        df: Counter[str] = Counter()
        for document in documents:
            df.update(set(document))
        terms = tuple(sorted(term for term, count in df.items() if count >= MIN_DF))
        n = len(documents)
        idf = np.array([math.log((1 + n) / (1 + df[term])) + 1.0 for term in terms], dtype=np.float32)
        return cls(terms, idf, tuple(level1), tuple(pairs), dict(keywords))

    def index(self) -> dict[str, int]:
        return {term: position for position, term in enumerate(self.terms)}


class TermIndex(Protocol):
    def get(self, key: str, default: Any = None) -> Any: ...


class Vectorizer:
    """Sparse rows (column indices, values) of prepared texts under one vocabulary; ``index`` (term -> column)
    defaults to a dict of the vocabulary's terms."""

    def __init__(self, vocabulary: Vocabulary, index: TermIndex | None = None) -> None:
        self.vocabulary = vocabulary
        self._index: TermIndex = index if index is not None else vocabulary.index()
        self._level1_position = {name: i for i, name in enumerate(vocabulary.level1)}
        offset = len(vocabulary.idf)
        # keyword, level-1 column, pair column; by the keyword's first two characters, so that a text looks only at
        # the keywords that can occur in it (a few dozen of the thousands)
        self._evidence: dict[str, list[tuple[str, int, int]]] = defaultdict(list)
        for pair_position, pair in enumerate(vocabulary.pairs):
            level1_column = offset + self._level1_position[pair[0]]
            pair_column = offset + len(vocabulary.level1) + pair_position
            for word in vocabulary.keywords.get(pair, ()):
                self._evidence[word[:2]].append((word, level1_column, pair_column))
        self.bias_column = vocabulary.size - 1

    def row(self, prepared: str, document: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        counts = Counter(column for column in map(self._index.get, document) if column is not None)
        columns = np.fromiter(counts.keys(), dtype=np.int32, count=len(counts))
        tf = 1.0 + np.log(np.fromiter(counts.values(), dtype=np.float32, count=len(counts)))
        values = tf * self.vocabulary.idf[columns]
        norm = float(np.linalg.norm(values))
        if norm > 0:
            values /= norm
        hits: Counter[int] = Counter()
        starts = {prepared[i : i + 2] for i in range(len(prepared))}  # every bigram, and the last character
        for start in sorted(starts.union(prepared).intersection(self._evidence)):
            for word, level1_column, pair_column in self._evidence[start]:
                if found := prepared.count(word):
                    hits[level1_column] += found
                    hits[pair_column] += found
        extra_columns = [*hits.keys(), self.bias_column]
        extra_values = [EVIDENCE_SCALE * math.log1p(count) for count in hits.values()] + [1.0]
        return (
            np.concatenate([columns, np.array(extra_columns, dtype=np.int32)]),
            np.concatenate([values.astype(np.float32), np.array(extra_values, dtype=np.float32)]),
        )

    def matrix(self, prepared: Sequence[str], documents: Iterable[Sequence[str]]) -> csr_matrix:
        """The rows as a scipy CSR matrix (training only; scipy is imported here, not when routing)."""
        from scipy.sparse import csr_matrix

        rows = [self.row(text, document) for text, document in zip(prepared, documents, strict=True)]
        indptr = np.concatenate([[0], np.cumsum([len(columns) for columns, _ in rows])]).astype(np.int64)
        indices = np.concatenate([columns for columns, _ in rows]).astype(np.int32)
        data = np.concatenate([values for _, values in rows]).astype(np.float32)
        return csr_matrix((data, indices, indptr), shape=(len(rows), self.vocabulary.size))
