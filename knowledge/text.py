"""Chinese text analysis for lexical retrieval: normalization, synonyms, jieba words, character and
pinyin n-grams (the last two make typos, homophones and typed pinyin match: 社保咔, 公基金, shebaoka).
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from pypinyin import lazy_pinyin

_CJK_RUN = re.compile(r"[\u3400-\u9fff]+")
_LATIN_RUN = re.compile(r"[a-z]+")
_SPACES = re.compile(r"\s+")
# Pinyin syllables are at most 6 letters (zhuang, shuang).
_MAX_SYLLABLE = 6


@dataclass(frozen=True)
class Features:
    """The lexical views of one text, each a list of terms for its own BM25 field."""

    words: list[str]
    chars: list[str]
    pinyin: list[str]


def normalize(text: str) -> str:
    """Full-width to half-width, lower case, single spaces."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", text).lower()).strip()


def read_synonyms(path: Path) -> dict[str, str]:
    """``colloquial<TAB>canonical`` lines; '#' comments and the header line are skipped."""
    table: dict[str, str] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#") or line.startswith("colloquial\t"):
            continue
        parts = line.split("\t")
        if len(parts) != 2 or not parts[0].strip() or not parts[1].strip():
            raise ValueError(f"{path}:{number}: expected 'colloquial<TAB>canonical', found {line!r}")
        table[normalize(parts[0])] = normalize(parts[1])
    return table


def read_word_list(path: Path) -> set[str]:
    return {
        normalize(line)
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    }


class Analyzer:
    """Turns questions and knowledge passages into lexical features.

    jieba and the dictionaries load on first use, in a private ``jieba.Tokenizer`` so that the global
    jieba state (used by Rasa's JiebaTokenizer) is left alone.
    """

    def __init__(self, dict_dir: Path) -> None:
        self.dict_dir = dict_dir
        self._lock = threading.Lock()
        self._tokenizer: Any = None
        # Syllables that occur in the indexed texts; typed pinyin is split into these.
        self.syllables: set[str] = set()

    @cached_property
    def synonyms(self) -> dict[str, str]:
        return read_synonyms(self.dict_dir / "synonyms.tsv")

    @cached_property
    def _synonym_keys(self) -> list[str]:
        return sorted(self.synonyms, key=len, reverse=True)

    @cached_property
    def stopwords(self) -> set[str]:
        return read_word_list(self.dict_dir / "stopwords.txt")

    def _jieba(self) -> Any:
        with self._lock:
            if self._tokenizer is None:
                import jieba

                jieba.setLogLevel(60)  # its INFO lines about the prefix dict cache are noise here
                tokenizer = jieba.Tokenizer()
                tokenizer.load_userdict(str(self.dict_dir / "userdict.txt"))
                for word in self.synonyms.values():
                    tokenizer.add_word(word)
                self._tokenizer = tokenizer
            return self._tokenizer

    def expand(self, text: str) -> str:
        """The normalized text followed by the canonical form of every colloquial phrase in it."""
        text = normalize(text)
        canonical = [self.synonyms[key] for key in self._synonym_keys if key in text]
        return " ".join([text, *canonical]) if canonical else text

    def learn_syllables(self, texts: Iterable[str]) -> None:
        for text in texts:
            for run in _CJK_RUN.findall(normalize(text)):
                self.syllables.update(lazy_pinyin(run))

    def features(self, text: str) -> Features:
        expanded = self.expand(text)
        return Features(
            words=self.words(expanded),
            chars=char_bigrams(expanded),
            pinyin=self.pinyin_bigrams(expanded),
        )

    def words(self, text: str) -> list[str]:
        return [
            word
            for word in self._jieba().lcut_for_search(text)
            if word.strip() and word not in self.stopwords and (_CJK_RUN.fullmatch(word) or word.isalnum())
        ]

    def pinyin_bigrams(self, text: str) -> list[str]:
        """Adjacent syllable pairs of the Chinese runs and of typed pinyin runs of the text."""
        terms: list[str] = []
        for run in re.findall(r"[\u3400-\u9fff]+|[a-z]+", text):
            syllables = lazy_pinyin(run) if _CJK_RUN.fullmatch(run) else self.split_pinyin(run)
            terms.extend(f"{a}{b}" for a, b in zip(syllables, syllables[1:], strict=False))
        return terms

    def split_pinyin(self, letters: str) -> list[str]:
        """Split toneless typed pinyin (``shebaoka``) into known syllables, fewest syllables first.

        Returns [] when the letters are not pinyin (``app``, ``abc``).
        """
        best: list[list[str] | None] = [None] * (len(letters) + 1)
        best[0] = []
        for end in range(1, len(letters) + 1):
            for start in range(max(0, end - _MAX_SYLLABLE), end):
                head = best[start]
                piece = letters[start:end]
                if head is None or piece not in self.syllables:
                    continue
                current = best[end]
                if current is None or len(head) + 1 < len(current):
                    best[end] = [*head, piece]
        return best[len(letters)] or []


def char_bigrams(text: str) -> list[str]:
    """Adjacent character pairs inside each Chinese run (single characters for one-character runs)."""
    terms: list[str] = []
    for run in _CJK_RUN.findall(text):
        terms.extend(run[i : i + 2] for i in range(max(1, len(run) - 1)))
    return terms
