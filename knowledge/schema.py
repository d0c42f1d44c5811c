"""Service records and the validation of the YAML files administrators edit (docs/knowledge-format.md)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import yaml

MIN_QUESTIONS = 5
MAX_QUESTIONS = 15


class KnowledgeFormatError(ValueError):
    """A knowledge file does not follow the format; names the file and the field."""

    def __init__(self, file: Path | str, field: str, problem: str) -> None:
        super().__init__(file, field, problem)
        self.file = str(file)
        self.field = field
        self.problem = problem

    def __str__(self) -> str:
        return f"{self.file}: field '{self.field}': {self.problem}"


@dataclass(frozen=True)
class Place:
    hall: str
    address: str
    hours: str


@dataclass(frozen=True)
class Service:
    """One government service as loaded from ``knowledge/services/<slug>.yaml``."""

    slug: str
    name: str
    aliases: tuple[str, ...]
    keywords: tuple[str, ...]
    department: str
    category: str
    online: bool
    summary: str
    conditions: tuple[str, ...]
    materials: tuple[str, ...]
    steps_online: tuple[str, ...]
    steps_offline: tuple[str, ...]
    place: Place
    process_days: int
    fee: str
    legal_basis: tuple[str, ...]
    phone: str
    questions: tuple[str, ...]
    # Optional: what a caller should know, added to the answer about the phone ("市领导不设个人热线……").
    phone_note: str = ""
    # Optional: a wait the time limit does not count, added to the answer about how long it takes ("30天离婚冷静期").
    time_note: str = ""

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for key, value in data.items():
            if isinstance(value, tuple):
                data[key] = list(value)
        return data


def load_services(services_dir: Path, categories: Iterable[str] | None = None) -> list[Service]:
    """Load and validate every ``*.yaml`` file of ``services_dir``, sorted by file name.

    ``categories``, when given, is the set of allowed ``category`` values.
    """
    if not services_dir.is_dir():
        raise KnowledgeFormatError(services_dir, "-", "the services directory does not exist")
    allowed = set(categories) if categories is not None else None
    services: list[Service] = []
    seen: dict[str, Path] = {}
    for path in sorted(services_dir.glob("*.yaml")):
        service = parse_service(path, allowed)
        if service.name in seen:
            raise KnowledgeFormatError(path, "name", f"'{service.name}' is already defined in {seen[service.name]}")
        seen[service.name] = path
        services.append(service)
    if not services:
        raise KnowledgeFormatError(services_dir, "-", "no service files (*.yaml) found")
    return services


def load_categories(categories_file: Path) -> list[str] | None:
    """The level-1 category names of ``categories.yaml``, or None while that file does not exist.

    Accepts a list of names, a list of ``{name: ...}`` mappings or a mapping keyed by name, optionally
    under a top-level ``categories`` key.
    """
    if not categories_file.is_file():
        return None
    data = _read_yaml(categories_file)
    if isinstance(data, Mapping) and "categories" in data:
        data = data["categories"]
    if isinstance(data, Mapping):
        return [str(name) for name in data]
    if isinstance(data, list):
        return [str(item["name"]) if isinstance(item, Mapping) else str(item) for item in data]
    raise KnowledgeFormatError(categories_file, "categories", "expected a list or a mapping of category names")


def parse_service(path: Path, categories: set[str] | None = None) -> Service:
    data = _read_yaml(path)
    if not isinstance(data, Mapping):
        raise KnowledgeFormatError(path, "-", "the file must contain a mapping of fields")
    fields = _Fields(path, data)
    if fields.get("sample", bool) is not True:
        raise KnowledgeFormatError(path, "sample", "must be true: the content is sample data")
    category = fields.text("category")
    if categories is not None and category not in categories:
        raise KnowledgeFormatError(path, "category", f"'{category}' is not a category of categories.yaml")
    steps = fields.get("steps", Mapping)
    place = fields.get("place", Mapping)
    online = fields.get("online", bool)
    steps_online = _Fields(path, steps, "steps.").texts("online", allow_empty=True)
    if online and not steps_online:
        raise KnowledgeFormatError(path, "steps.online", "an online service needs its online steps")
    questions = fields.texts("questions")
    if not MIN_QUESTIONS <= len(questions) <= MAX_QUESTIONS:
        raise KnowledgeFormatError(
            path, "questions", f"expected {MIN_QUESTIONS}-{MAX_QUESTIONS} questions, found {len(questions)}"
        )
    process_days = fields.get("process_days", int)
    if process_days < 0:
        raise KnowledgeFormatError(path, "process_days", "must be 0 (on the spot) or a positive number of days")
    place_fields = _Fields(path, place, "place.")
    return Service(
        slug=path.stem,
        name=fields.text("name"),
        aliases=fields.texts("aliases", allow_empty=True),
        keywords=fields.texts("keywords", allow_empty=True),
        department=fields.text("department"),
        category=category,
        online=online,
        summary=fields.text("summary"),
        conditions=fields.texts("conditions"),
        materials=fields.texts("materials"),
        steps_online=steps_online,
        steps_offline=_Fields(path, steps, "steps.").texts("offline"),
        place=Place(
            hall=place_fields.text("hall"),
            address=place_fields.text("address"),
            hours=place_fields.text("hours"),
        ),
        process_days=process_days,
        fee=fields.text("fee"),
        legal_basis=fields.texts("legal_basis", allow_empty=True),
        phone=fields.text("phone"),
        questions=questions,
        phone_note=fields.text("phone_note") if data.get("phone_note") is not None else "",
        time_note=fields.text("time_note") if data.get("time_note") is not None else "",
    )


def _read_yaml(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as handle:
            return yaml.safe_load(handle)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise KnowledgeFormatError(path, "-", f"not valid YAML{where}: {error}") from error


class _Fields:
    """Typed access to the fields of one mapping, raising errors that name the file and field."""

    def __init__(self, path: Path, data: Mapping[str, Any], prefix: str = "") -> None:
        self.path = path
        self.data = data
        self.prefix = prefix

    def get(self, key: str, kind: type) -> Any:
        if key not in self.data or self.data[key] is None:
            raise KnowledgeFormatError(self.path, self.prefix + key, "is missing")
        value = self.data[key]
        # bool is a subclass of int: `process_days: true` must not pass as a number.
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise KnowledgeFormatError(
                self.path,
                self.prefix + key,
                f"expected {_KIND_NAMES.get(kind, kind.__name__)}, found {value!r}",
            )
        return value

    def text(self, key: str) -> str:
        value = self.data.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = str(value)  # e.g. an unquoted phone number or fee
        if not isinstance(value, str) or not value.strip():
            raise KnowledgeFormatError(self.path, self.prefix + key, "expected a non-empty text")
        return value.strip()

    def texts(self, key: str, allow_empty: bool = False) -> tuple[str, ...]:
        value = self.data.get(key)
        if value is None and allow_empty:
            return ()
        if not isinstance(value, list):
            raise KnowledgeFormatError(self.path, self.prefix + key, "expected a list of texts")
        items: list[str] = []
        for position, item in enumerate(value):
            if not isinstance(item, str | int | float) or isinstance(item, bool) or not str(item).strip():
                raise KnowledgeFormatError(
                    self.path, f"{self.prefix}{key}[{position}]", f"expected a non-empty text, found {item!r}"
                )
            items.append(str(item).strip())
        if not items and not allow_empty:
            raise KnowledgeFormatError(self.path, self.prefix + key, "must not be empty")
        return tuple(items)


_KIND_NAMES = {bool: "true or false", int: "a whole number", Mapping: "a mapping"}
