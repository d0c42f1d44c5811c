"""The 12345 request categories agents dispatch tickets under (knowledge/categories.yaml).

Read once when the gateway starts (and again on a knowledge reload), not on every dispatch.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from knowledge.settings import KnowledgeSettings


@dataclass(frozen=True)
class Category:
    """A level-1 category: its default departments (the first one is the default) and level-2 names."""

    departments: tuple[str, ...]
    level2: tuple[str, ...]
    # Level-2 categories whose requests need a place to be dealt with (a broken street light: which street?).
    place_needed: tuple[str, ...] = ()
    # Level-2 categories about how a service was delivered (窗口服务态度): the service's department answers for it.
    service_conduct: tuple[str, ...] = ()

    def needs_place(self, level2: str | None) -> bool:
        return level2 in self.place_needed

    def about_service_conduct(self, level2: str | None) -> bool:
        return level2 in self.service_conduct


def load_categories(path: Path) -> dict[str, Category]:
    """Level-1 name -> Category; empty while the file does not exist (dispatch then refuses every name)."""
    if not path.is_file():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {
        name: Category(
            tuple(entry.get("departments", [])),
            tuple(entry.get("level2", [])),
            tuple(entry.get("place_needed", [])),
            tuple(entry.get("service_conduct", [])),
        )
        for name, entry in (data.get("categories") or {}).items()
    }


def project_categories() -> dict[str, Category]:
    """The categories of the file the knowledge settings name (KNOWLEDGE_CATEGORIES_FILE)."""
    return load_categories(KnowledgeSettings.from_env().categories_file)
