"""Chinese text analysis for lexical retrieval.

Residents type typos, homophones and pinyin (社保咔, 公基金, 医宝, shebaoka). Besides jieba words and
synonyms, a question is therefore read through pinyin: any stretch of it whose pinyin spells a word of
the knowledge base is taken to mean that word too (社保咔 -> 社保卡, juzhuzheng -> 居住证), and
character and pinyin bigrams give partial matches their share of the score.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

from knowledge.pinyin import readings

_CJK = re.compile(r"[\u3400-\u9fff]+")
_LATIN = re.compile(r"[a-z]+")
_RUNS = re.compile(r"[\u3400-\u9fff]+|[a-z]+")
_SPACES = re.compile(r"\s+")
# The public service hotlines (12345, 12329 公积金, 12333 人社 ...) name their service: a word of their own,
# wherever jieba puts them ("打12345", "12345热线"); not inside a longer number (a mobile, an ID number).
_HOTLINE_NUMBER = re.compile(r"(?<!\d)12\d{3}(?!\d)")
# Pinyin syllables are at most 6 letters (zhuang, shuang).
_MAX_SYLLABLE = 6
# jieba's user dictionary has a folder of its own: Rasa's JiebaTokenizer loads every file of the folder it
# is given, and the synonym table and the stopwords beside it would become dictionary words.
JIEBA_USERDICT = Path("jieba") / "userdict.txt"


@dataclass(frozen=True)
class Features:
    """The lexical views of one text, each a list of terms for its own BM25 field."""

    words: list[str]
    chars: list[str]
    pinyin: list[str]


def normalize(text: str) -> str:
    """Full-width to half-width, lower case, single spaces."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", text).lower()).strip()


def any_of_words(words: str) -> re.Pattern[str]:
    """A pattern for any of the space-separated ``words``, longest first (so "怎么样" is taken before "怎么")."""
    return re.compile("|".join(re.escape(word) for word in sorted(words.split(), key=len, reverse=True)))


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


def read_word_list(path: Path) -> list[str]:
    """First column of each line ('#' comments skipped): reads stopwords.txt and jieba's user dictionary."""
    return [
        normalize(line).split(" ")[0]
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]


def syllables_of(run: str) -> list[str]:
    """Toneless pinyin of each character of a Chinese run, character by character (a table lookup).

    The reading of a character out of context may be the wrong one for a polyphone; both questions and
    knowledge texts are read the same way, so they still match.
    """
    table = readings()
    return [table.char(char) for char in run]


class Segmenter:
    """jieba with the project dictionaries, the synonym table and the stopwords; shared across reloads."""

    def __init__(self, dict_dir: Path) -> None:
        self.dict_dir = dict_dir

    @cached_property
    def synonyms(self) -> dict[str, str]:
        return read_synonyms(self.dict_dir / "synonyms.tsv")

    @cached_property
    def stopwords(self) -> frozenset[str]:
        return frozenset(read_word_list(self.dict_dir / "stopwords.txt"))

    @cached_property
    def user_words(self) -> list[str]:
        return read_word_list(self.dict_dir / JIEBA_USERDICT)

    @cached_property
    def _synonym_keys(self) -> list[str]:
        return sorted(self.synonyms, key=len, reverse=True)

    def jieba(self) -> Any:
        return _jieba_with_dictionaries(self.dict_dir, tuple(sorted(set(self.synonyms.values()))))

    def is_dictionary_word(self, word: str) -> bool:
        return self.jieba().FREQ.get(word, 0) > 0

    def canonical_forms(self, text: str) -> list[str]:
        """The canonical form of every colloquial phrase of the synonym table found in ``text``."""
        return [self.synonyms[key] for key in self._synonym_keys if key in text]


_jieba_lock = threading.Lock()


@lru_cache(maxsize=4)
def _jieba_with_dictionaries(dict_dir: Path, extra_words: tuple[str, ...]) -> Any:
    """A private ``jieba.Tokenizer`` (Rasa's JiebaTokenizer uses the global one), loaded once per process."""
    with _jieba_lock:
        import jieba

        jieba.setLogLevel(60)  # its INFO lines about the prefix dict cache are noise here
        tokenizer = jieba.Tokenizer()
        tokenizer.load_userdict(str(dict_dir / JIEBA_USERDICT))
        for word in extra_words:
            tokenizer.add_word(word)
        tokenizer.lcut("预热")  # loads the main dictionary now, under the lock
        return tokenizer


class Analyzer:
    """Features of questions and knowledge texts, knowing the vocabulary of one knowledge base."""

    def __init__(self, segmenter: Segmenter, corpus: Iterable[str]) -> None:
        self.segmenter = segmenter
        self.vocabulary: set[str] = set()
        self._by_pinyin: dict[tuple[str, ...], set[str]] = defaultdict(set)
        self.syllables: set[str] = set()
        texts = [normalize(text) for text in corpus]
        words = [
            *(word for text in texts for word in segmenter.jieba().lcut_for_search(text)),
            *segmenter.user_words,
            *segmenter.synonyms,
            *segmenter.synonyms.values(),
        ]
        for word in words:
            if len(word) >= 2 and _CJK.fullmatch(word) and word not in segmenter.stopwords:
                self.vocabulary.add(word)
        table = readings()
        for word in self.vocabulary:
            # In context (重新 = chong xin) for typed pinyin, and character by character for typos.
            for syllables in (table.word(word), tuple(syllables_of(word))):
                self._by_pinyin[syllables].add(word)
                self.syllables.update(syllables)
        table.save()  # the readings of new words, so that the next process need not import pypinyin
        self._longest = max((len(key) for key in self._by_pinyin), default=0)

    def expand(self, text: str) -> str:
        """The normalized text, then the vocabulary words its typos or pinyin stand for, then the
        canonical forms of its colloquial phrases."""
        text = normalize(text)
        additions = self.sound_alikes(text)
        additions += self.segmenter.canonical_forms(" ".join([text, *additions]))
        return " ".join([text, *dict.fromkeys(additions)])

    def sound_alikes(self, text: str) -> list[str]:
        """Vocabulary words spelled, in pinyin, by a stretch of the text that is not that word itself."""
        found: list[str] = []
        for run in _RUNS.findall(text):
            if _CJK.fullmatch(run):
                found += self._match_syllables(syllables_of(run), run)
            else:
                found += self._match_syllables(self.split_pinyin(run), None)
        return found

    def _match_syllables(self, syllables: list[str], chars: str | None) -> list[str]:
        found: list[str] = []
        start = 0
        while start < len(syllables):
            step = 1
            for size in range(min(self._longest, len(syllables) - start), 1, -1):
                words = self._by_pinyin.get(tuple(syllables[start : start + size]))
                if not words:
                    continue
                written = chars[start : start + size] if chars is not None else None
                if written is not None and (
                    written in self.vocabulary or (size == 2 and self.segmenter.is_dictionary_word(written))
                ):
                    # Already a word (失业), or a different real word that only sounds alike (事业).
                    break
                found += sorted(words)
                step = size
                break
            start += step
        return found

    def features(self, text: str) -> Features:
        return self.features_of_expanded(self.expand(text))

    def document_features(self, text: str) -> Features:
        """Features of a knowledge text: its colloquial phrases are expanded, but it has no typos to read."""
        text = normalize(text)
        return self.features_of_expanded(" ".join([text, *self.segmenter.canonical_forms(text)]))

    def features_of_expanded(self, expanded: str) -> Features:
        """Features of a text that :meth:`expand` has already expanded."""
        runs = self.content_runs(expanded)
        return Features(
            words=self.words(expanded),
            chars=[gram for run in runs for gram in char_bigrams(run)],
            pinyin=[gram for run in runs for gram in self.pinyin_bigrams(run)],
        )

    def words(self, text: str) -> list[str]:
        return [
            *(
                word
                for word in self.segmenter.jieba().lcut_for_search(text)
                if word not in self.segmenter.stopwords
                and (_CJK.fullmatch(word) or (_LATIN.fullmatch(word) and not self.split_pinyin(word)))
            ),
            *_HOTLINE_NUMBER.findall(text),
        ]

    def content_runs(self, text: str) -> list[str]:
        """The stretches of the text between stopwords and punctuation ("社保咔怎么申请" -> 社保咔, 申请).

        N-grams are taken inside these runs only, so that function words ("什么时候") match nothing.
        """
        runs: list[str] = []
        current = ""
        for word in self.segmenter.jieba().lcut(text):
            if word in self.segmenter.stopwords or not _RUNS.fullmatch(word):
                runs.append(current)
                current = ""
            elif current and bool(_LATIN.fullmatch(word)) != bool(_LATIN.fullmatch(current[-1])):
                runs.append(current)  # Chinese next to typed pinyin: separate runs
                current = word
            else:
                current += word
        runs.append(current)
        return [run for run in runs if run]

    def pinyin_bigrams(self, run: str) -> list[str]:
        """Adjacent syllable pairs of a Chinese run or of a run of typed pinyin."""
        syllables = syllables_of(run) if _CJK.fullmatch(run) else self.split_pinyin(run)
        return [f"{a}{b}" for a, b in zip(syllables, syllables[1:], strict=False)]

    def split_pinyin(self, letters: str) -> list[str]:
        """Split toneless typed pinyin (``shebaoka``) into syllables of the vocabulary, fewest first.

        Returns [] when the letters are not pinyin (``app``, ``etc``).
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


def char_bigrams(run: str) -> list[str]:
    """Adjacent character pairs of a Chinese run (the character itself for a one-character run)."""
    if not _CJK.fullmatch(run):
        return []
    return [run[i : i + 2] for i in range(max(1, len(run) - 1))]
