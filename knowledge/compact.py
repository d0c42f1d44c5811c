"""Large read-only string tables kept compact, for the process's memory (issue 15).

A Python dict of a few hundred thousand short strings costs 40 MB or more (an object per string, per value
and the table); the same keys as sorted numpy string arrays, one per key length, cost a tenth of that. A
lookup is a binary search: a few microseconds, for tables read a few dozen times per request.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

import numpy as np


class StringTable:
    """A read-only ``str -> number`` mapping answering ``get`` like the dict it was built from.

    Keys must not end with NUL characters (numpy's fixed-width strings drop them).
    """

    def __init__(self, table: Mapping[str, Any], dtype: Any) -> None:
        by_length: dict[int, list[str]] = defaultdict(list)
        for key in table:
            by_length[len(key)].append(key)
        self._keys: dict[int, np.ndarray] = {}
        self._values: dict[int, np.ndarray] = {}
        for length, keys in by_length.items():
            keys.sort()
            self._keys[length] = np.array(keys, dtype=f"U{max(length, 1)}")
            self._values[length] = np.array([table[key] for key in keys], dtype=dtype)

    def values(self) -> np.ndarray:
        return np.concatenate(list(self._values.values())) if self._values else np.zeros(0)

    def get(self, key: str, default: Any = None) -> Any:
        keys = self._keys.get(len(key))
        if keys is None:
            return default
        position = int(keys.searchsorted(key))
        if position < len(keys) and keys[position] == key:
            return self._values[len(key)][position].item()
        return default


def release_freed_memory() -> None:
    """Hand heap memory freed by a large load back to the system: glibc keeps it otherwise (measured: the IDF
    table's parse left 14 MB behind). No-op where the C library is not glibc."""
    try:
        ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass
