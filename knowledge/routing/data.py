"""The router's data files: the categories, the training/held-out examples, the keyword evidence and the
administrators' department overrides. Every loader validates and names the file, line or field it rejects."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from knowledge.text import normalize

HEADER = ("level1", "level2", "style", "text")
STYLES = ("chat", "letter")


class RoutingDataError(ValueError):
    """A routing data file is malformed; the message names the file and the line or field."""


@dataclass(frozen=True)
class Taxonomy:
    """The categories of ``categories.yaml``: level-1 names (file order), their level-2 names and departments."""

    level1: tuple[str, ...]
    level2: Mapping[str, tuple[str, ...]]
    departments: Mapping[str, tuple[str, ...]]

    def default_department(self, level1: str) -> str | None:
        names = self.departments.get(level1, ())
        return names[0] if names else None

    @property
    def all_departments(self) -> frozenset[str]:
        return frozenset(name for names in self.departments.values() for name in names)


@dataclass(frozen=True)
class Example:
    level1: str
    level2: str  # "" when the example names no level-2 category
    style: str
    text: str


def file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load_taxonomy(path: Path) -> Taxonomy:
    if not path.is_file():
        raise RoutingDataError(f"{path}: the categories file does not exist")
    data = _yaml(path)
    entries = data.get("categories") if isinstance(data, Mapping) else None
    if not isinstance(entries, Mapping) or not entries:
        raise RoutingDataError(f"{path}: expected a mapping 'categories' of level-1 names")
    level2: dict[str, tuple[str, ...]] = {}
    departments: dict[str, tuple[str, ...]] = {}
    for name, entry in entries.items():
        if not isinstance(entry, Mapping):
            raise RoutingDataError(f"{path}: category '{name}': expected 'departments' and 'level2'")
        level2[str(name)] = tuple(str(item) for item in entry.get("level2") or ())
        departments[str(name)] = tuple(str(item) for item in entry.get("departments") or ())
    return Taxonomy(tuple(level2), level2, departments)


def load_examples(path: Path, taxonomy: Taxonomy) -> list[Example]:
    """``level1<TAB>level2<TAB>style<TAB>text`` lines under that header; '#' lines and blank lines skipped."""
    if not path.is_file():
        raise RoutingDataError(f"{path}: the examples file does not exist")
    examples: list[Example] = []
    header_seen = False
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if not header_seen:
            if tuple(part.strip() for part in parts) != HEADER:
                raise RoutingDataError(f"{path}:{number}: expected the header {'<TAB>'.join(HEADER)}")
            header_seen = True
            continue
        if len(parts) != 4:
            raise RoutingDataError(f"{path}:{number}: expected 4 tab-separated fields, found {len(parts)}")
        level1, level2, style, text = (part.strip() for part in parts)
        if level1 not in taxonomy.level2:
            raise RoutingDataError(f"{path}:{number}: '{level1}' is not a level-1 category of categories.yaml")
        if level2 and level2 not in taxonomy.level2[level1]:
            raise RoutingDataError(f"{path}:{number}: '{level2}' is not a level-2 category of {level1}")
        if style not in STYLES:
            raise RoutingDataError(f"{path}:{number}: style must be one of {', '.join(STYLES)}, not '{style}'")
        if not text:
            raise RoutingDataError(f"{path}:{number}: empty text")
        examples.append(Example(level1, level2, style, text))
    if not examples:
        raise RoutingDataError(f"{path}: no examples")
    return examples


def load_keywords(path: Path, taxonomy: Taxonomy) -> dict[tuple[str, str], tuple[str, ...]]:
    """(level1, level2) -> evidence keywords: the file's list plus the parts of the level-2 name itself
    (物业与小区管理 -> 物业, 小区管理). A missing file means the names alone."""
    data: Any = _yaml(path) if path.is_file() else {}
    if not isinstance(data, Mapping):
        raise RoutingDataError(f"{path}: expected a mapping level-1 -> level-2 -> keyword list")
    keywords: dict[tuple[str, str], tuple[str, ...]] = {}
    for level1 in taxonomy.level1:
        for level2 in taxonomy.level2[level1]:
            parts = [part for part in _split_name(level2) if len(part) >= 2]
            keywords[(level1, level2)] = tuple(dict.fromkeys(normalize(part) for part in parts))
    for level1, entries in data.items():
        if level1 not in taxonomy.level2:
            raise RoutingDataError(f"{path}: '{level1}' is not a level-1 category of categories.yaml")
        if not isinstance(entries, Mapping):
            raise RoutingDataError(f"{path}: '{level1}': expected a mapping level-2 -> keyword list")
        for level2, words in entries.items():
            if level2 not in taxonomy.level2[level1]:
                raise RoutingDataError(f"{path}: '{level1}/{level2}' is not a level-2 category of categories.yaml")
            if not isinstance(words, list) or not all(isinstance(w, str) and w.strip() for w in words):
                raise RoutingDataError(f"{path}: '{level1}/{level2}': expected a list of non-empty keywords")
            merged = [*keywords[(level1, level2)], *(normalize(word) for word in words)]
            keywords[(level1, level2)] = tuple(dict.fromkeys(merged))
    return keywords


def _split_name(name: str) -> list[str]:
    for separator in ("与", "和", "、"):
        name = name.replace(separator, " ")
    return name.split()


@dataclass(frozen=True)
class KeywordRule:
    keyword: str
    department: str
    categories: tuple[str, ...]  # empty: whatever the predicted level-1 category


@dataclass(frozen=True)
class DepartmentOverrides:
    """``department_overrides.yaml``: keyword rules (first match in file order) then level-2 rules."""

    keywords: tuple[KeywordRule, ...] = ()
    level2: Mapping[str, str] | None = None

    def department(self, text: str, level1: str, level2: str | None, default: str | None) -> str | None:
        """``text`` is the normalized text the router read."""
        for rule in self.keywords:
            if (not rule.categories or level1 in rule.categories) and rule.keyword in text:
                return rule.department
        if level2 and self.level2 and level2 in self.level2:
            return self.level2[level2]
        return default


def load_overrides(path: Path, taxonomy: Taxonomy) -> DepartmentOverrides:
    """Validate the administrators' table; a missing file means no overrides."""
    if not path.is_file():
        return DepartmentOverrides()
    data = _yaml(path)
    if data is None:
        return DepartmentOverrides()
    if not isinstance(data, Mapping):
        raise RoutingDataError(f"{path}: expected a mapping with 'keywords' and/or 'level2'")
    unknown = set(data) - {"sample", "extra_departments", "keywords", "level2"}
    if unknown:
        raise RoutingDataError(f"{path}: unknown field(s) {', '.join(sorted(map(str, unknown)))}")
    extra = data.get("extra_departments") or []
    if not isinstance(extra, list) or not all(isinstance(name, str) and name.strip() for name in extra):
        raise RoutingDataError(f"{path}: field 'extra_departments': expected a list of department names")
    known = taxonomy.all_departments | {name.strip() for name in extra}

    def department(value: Any, where: str) -> str:
        if not isinstance(value, str) or not value.strip():
            raise RoutingDataError(f"{path}: {where}: 'department' must be a non-empty department name")
        if value.strip() not in known:
            raise RoutingDataError(
                f"{path}: {where}: unknown department '{value}' (not in categories.yaml; add it to "
                "'extra_departments' if it is right)"
            )
        return value.strip()

    level2_names: dict[str, list[str]] = {}
    for level1, names in taxonomy.level2.items():
        for name in names:
            level2_names.setdefault(name, []).append(level1)
    level2: dict[str, str] = {}
    raw_level2 = data.get("level2") or {}
    if not isinstance(raw_level2, Mapping):
        raise RoutingDataError(f"{path}: field 'level2': expected a mapping level-2 name -> department")
    for name, value in raw_level2.items():
        if name not in level2_names:
            raise RoutingDataError(f"{path}: field 'level2': '{name}' is not a level-2 category of categories.yaml")
        level2[str(name)] = department(value, f"level2 '{name}'")
    rules: list[KeywordRule] = []
    raw_rules = data.get("keywords") or []
    if not isinstance(raw_rules, list):
        raise RoutingDataError(f"{path}: field 'keywords': expected a list of {{keyword, department}} entries")
    for position, entry in enumerate(raw_rules, start=1):
        where = f"keywords entry {position}"
        if not isinstance(entry, Mapping) or set(entry) - {"keyword", "department", "categories"}:
            raise RoutingDataError(f"{path}: {where}: expected the fields keyword, department, categories (optional)")
        keyword = entry.get("keyword")
        if not isinstance(keyword, str) or not keyword.strip():
            raise RoutingDataError(f"{path}: {where}: 'keyword' must be a non-empty text")
        categories = entry.get("categories") or []
        if not isinstance(categories, list) or any(name not in taxonomy.level2 for name in categories):
            raise RoutingDataError(f"{path}: {where}: 'categories' must list level-1 categories of categories.yaml")
        rules.append(KeywordRule(normalize(keyword), department(entry.get("department"), where), tuple(categories)))
    return DepartmentOverrides(tuple(rules), level2)


def _yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise RoutingDataError(f"{path}: not valid YAML: {error}") from error
