"""NLU component: a spaCy EntityRuler over the project's gazetteers, for the closed lists where rules beat DIET.

The gazetteers are read at training and stored in the model: the `district` and `department` lookup
tables with their synonyms (nlu_data/lookups, nlu_data/synonyms.yml), the departments, service names and
aliases of knowledge/services, and the `service` lookup table. Every entity's value is a canonical name. A mention
the gazetteers cannot resolve alone ("社保卡": applying for one or replacing it? "身份证" in "身份证号码")
is no pattern: DIET sees its context, and KnowledgeRetriever, which runs next, the whole question.

When the model loads, the patterns go into a blank `zh` spaCy pipeline segmented by jieba. That is the
global jieba which JiebaTokenizer (earlier in the pipeline) gave the project dictionary, so the ruler and
DIET see the same tokens. Per message the work is one segmentation and a phrase lookup.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from typing import TYPE_CHECKING, Any, cast

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_END,
    ENTITY_ATTRIBUTE_START,
    ENTITY_ATTRIBUTE_TYPE,
    ENTITY_ATTRIBUTE_VALUE,
    EXTRACTOR,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from knowledge.schema import Service, load_services
from knowledge.settings import KnowledgeSettings

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.pipeline import EntityRuler

logger = logging.getLogger(__name__)

PATTERNS_FILE = "patterns.json"
DISTRICT, DEPARTMENT, SERVICE = "district", "department", "service"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=True)
class SpacyEntityRuler(GraphComponent):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            # Entity types whose gazetteer match replaces what another extractor found on the same text:
            # closed lists of names, where an exact match is more reliable than DIET's guess.
            "rules_win": [DISTRICT, DEPARTMENT],
        }

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        nlp: Language | None = None,
    ) -> None:
        self._config = config
        self._model_storage = model_storage
        self._resource = resource
        self._nlp = nlp

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SpacyEntityRuler:
        return cls(config, model_storage, resource)

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str | None:
        # The service catalogue is read outside the training data: without this, Rasa's training cache
        # would keep patterns of services that have since been renamed or added.
        digest = hashlib.sha256()
        for path in sorted(KnowledgeSettings.from_env().services_dir.glob("*.yaml")):
            digest.update(path.read_bytes())
        return digest.hexdigest()

    def train(self, training_data: TrainingData) -> Resource:
        lookups = {table["name"]: table["elements"] for table in training_data.lookup_tables}
        services = load_services(KnowledgeSettings.from_env().services_dir)
        patterns = build_patterns(lookups, training_data.entity_synonyms, services)
        with self._model_storage.write_to(self._resource) as directory:
            (directory / PATTERNS_FILE).write_text(json.dumps(patterns, ensure_ascii=False), encoding="utf-8")
        logger.info("entity ruler: %d gazetteer patterns", len(patterns))
        return self._resource

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> SpacyEntityRuler:
        with model_storage.read_from(resource) as directory:
            patterns = json.loads((directory / PATTERNS_FILE).read_text(encoding="utf-8"))
        return cls(config, model_storage, resource, build_ruler(patterns))

    def process(self, messages: list[Message]) -> list[Message]:
        if self._nlp is None:
            raise RuntimeError("SpacyEntityRuler was not trained: no patterns to match")
        for message in messages:
            text = message.get(TEXT) or ""
            # "/intent{...}" button payloads carry their entities already.
            if not text.strip() or text.startswith("/"):
                continue
            ruled = [
                {
                    ENTITY_ATTRIBUTE_TYPE: span.label_,
                    ENTITY_ATTRIBUTE_START: span.start_char,
                    ENTITY_ATTRIBUTE_END: span.end_char,
                    ENTITY_ATTRIBUTE_VALUE: span.ent_id_,
                    EXTRACTOR: self.__class__.__name__,
                }
                for span in self._nlp(text).ents
            ]
            if ruled:
                merged = merge_entities(text, message.get(ENTITIES, []), ruled, self._config["rules_win"])
                message.set(ENTITIES, merged, add_to_output=True)
        return messages


def build_patterns(
    lookups: Mapping[str, Iterable[str]], synonyms: Mapping[str, str], services: Iterable[Service]
) -> list[dict[str, str]]:
    """EntityRuler phrase patterns `{label, pattern, id}`; `id` is the value the entity gets."""
    services = list(services)
    # The canonical names of each entity type; a synonym whose target is one of them is a mention too.
    canonical = {
        DISTRICT: {synonyms.get(name, name) for name in lookups.get(DISTRICT, ())},
        DEPARTMENT: {synonyms.get(name, name) for name in lookups.get(DEPARTMENT, ())}
        | {service.department for service in services},
        SERVICE: {service.name for service in services},
    }
    values: dict[tuple[str, str], set[str]] = defaultdict(set)
    for label, names in canonical.items():
        for name in names:
            values[label, name].add(name)
        for mention in lookups.get(label, ()):
            resolved = synonyms.get(mention, mention)
            values[label, mention].update({resolved} & names)
    for service in services:
        for alias in service.aliases:
            values[SERVICE, alias].add(service.name)
    for mention, target in synonyms.items():
        for label, names in canonical.items():
            if target in names:
                values[label, mention].add(target)
    labels_of: dict[str, set[str]] = defaultdict(set)
    for (label, mention), found in values.items():
        if found:
            labels_of[mention].add(label)
    return [
        {"label": label, "pattern": mention, "id": next(iter(found))}
        for (label, mention), found in sorted(values.items())
        # A mention of several services or of two entity types is left to DIET, which sees the context,
        # and to retrieval, which sees the whole question.
        if len(found) == 1 and len(labels_of[mention]) == 1
    ]


def build_ruler(patterns: list[dict[str, Any]]) -> Language:
    import spacy  # heavy (thinc, torch detection): imported when a model loads, not with this module

    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
    # LOWER: pinyin mentions ("liuan") match whatever their case, like EntitySynonymMapper.
    ruler = cast("EntityRuler", nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "LOWER"}))
    ruler.add_patterns(patterns)
    return nlp


def merge_entities(
    text: str, found: list[dict[str, Any]], ruled: list[dict[str, Any]], rules_win: Collection[str]
) -> list[dict[str, Any]]:
    """Add the ruler's entities to those found earlier in `text` without two entities on the same text.

    An entity of another extractor on the same span and of the same type is kept; it takes the ruler's
    value when its own is still the raw mention. A ruler entity of a `rules_win` type replaces the
    gazetteer-type entities it overlaps; any other overlapping ruler entity is dropped.
    """
    gazetteer_types = {DISTRICT, DEPARTMENT, SERVICE}
    entities = [dict(entity) for entity in found]
    for rule in ruled:
        overlapping = [e for e in entities if e["start"] < rule["end"] and rule["start"] < e["end"]]
        same = [
            e
            for e in overlapping
            if (e["start"], e["end"], e["entity"]) == (rule["start"], rule["end"], rule["entity"])
        ]
        if same:
            if same[0]["value"] == text[rule["start"] : rule["end"]] != rule["value"]:
                same[0]["value"] = rule["value"]
                same[0].setdefault("processors", []).append(rule[EXTRACTOR])
            continue
        if not overlapping:
            entities.append(rule)
        elif rule["entity"] in rules_win and all(e["entity"] in gazetteer_types for e in overlapping):
            entities = [e for e in entities if not any(e is o for o in overlapping)] + [rule]
    return sorted(entities, key=lambda e: e["start"])
