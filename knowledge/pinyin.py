"""Toneless pinyin readings without pypinyin's dictionaries in memory.

Importing pypinyin loads its phrase dictionary: about 50 MB in every process that reads pinyin (gateway
workers, Rasa servers). The analyzer (``text.py``) needs few readings: one per character of U+3400..U+9FFF
(``lazy_pinyin(char)[0]``) and one per word of the knowledge base's vocabulary, in context
(``lazy_pinyin(word)``: 重新 = chong xin). Both are kept in a cache file, ``<index dir>/cache/pinyin-<pypinyin
version>.json``, the same readings pypinyin gives: pypinyin is imported only to fill it (every character at
once, then each new word), normally by ``python -m knowledge build``, so serving processes read the file and
never import it.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from functools import cache
from importlib.metadata import version
from pathlib import Path

logger = logging.getLogger(__name__)

CHARACTERS = range(0x3400, 0x9FFF + 1)  # what the analyzer reads as Chinese (text._CJK)


class Readings:
    """Readings of characters and words from ``path``; what it lacks is read by pypinyin and saved."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        stored = _read(path)
        self._chars: dict[str, str] = stored["chars"]
        self._words: dict[str, tuple[str, ...]] = {word: tuple(r.split(" ")) for word, r in stored["words"].items()}
        self._unsaved = False

    def char(self, char: str) -> str:
        reading = self._chars.get(char)
        if reading is None:
            with self._lock:
                if not self._chars:  # a new cache: every character at once, for one import of pypinyin
                    self._chars.update((chr(code), _lazy_pinyin()(chr(code))[0]) for code in CHARACTERS)
                reading = self._chars.setdefault(char, _lazy_pinyin()(char)[0])
                self._unsaved = True
            self.save()
        return reading

    def word(self, word: str) -> tuple[str, ...]:
        """The in-context reading of a word; call ``save`` after a batch of new words."""
        reading = self._words.get(word)
        if reading is None:
            reading = tuple(_lazy_pinyin()(word))
            with self._lock:
                self._words[word] = reading
                self._unsaved = True
        return reading

    def save(self) -> None:
        """Write the new readings, with those other processes wrote meanwhile; a read-only index directory
        only costs the next process the same work."""
        from knowledge.index import _atomic_write  # not at the top: knowledge.index imports text.py's users

        with self._lock:
            if not self._unsaved:
                return
            stored = _read(self.path)
            chars = {**stored["chars"], **self._chars}
            words = {**stored["words"], **{word: " ".join(r) for word, r in self._words.items()}}
            payload = json.dumps({"chars": chars, "words": words}, ensure_ascii=False, sort_keys=True).encode()
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                _atomic_write(self.path, lambda temporary: temporary.write_bytes(payload))
            except OSError as error:
                logger.warning("pinyin readings not saved to %s: %s", self.path, error)
            self._unsaved = False


def _read(path: Path) -> dict[str, dict[str, str]]:
    try:
        stored = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(stored.get("chars"), dict) and isinstance(stored.get("words"), dict):
            return {"chars": stored["chars"], "words": stored["words"]}
    except FileNotFoundError:
        pass
    except (OSError, ValueError, AttributeError) as error:
        logger.warning("ignoring unreadable pinyin readings %s: %s", path, error)
    return {"chars": {}, "words": {}}


@cache
def _lazy_pinyin() -> Callable[[str], list[str]]:
    from pypinyin import lazy_pinyin

    return lazy_pinyin


@cache
def readings() -> Readings:
    """The process's readings, in the index directory of the environment's settings."""
    from knowledge.settings import KnowledgeSettings

    cache_dir = KnowledgeSettings.from_env().index_dir / "cache"
    return Readings(cache_dir / f"pinyin-{version('pypinyin')}.json")
