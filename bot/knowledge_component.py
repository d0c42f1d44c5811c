"""NLU component that runs the knowledge retrieval on every message.

It adds `knowledge` = {query, confident, aspect, follow_up, hits: [{service, department, score, answer, source}]}
(`contract.knowledge.SearchResult.to_dict()`, under `KNOWLEDGE_KEY`) to the parse result, so the action
server answers without a second search and without loading a model (`SearchResult.from_parse`), and
maps the `service` entity to a canonical service name: an entity DIET found is replaced by the
confident match of its own text, or dropped when it is no catalogue word and the message matches no service
confidently; a confident match is added as the entity when DIET found none, unless
the message is a follow-up ("电话多少", "那要多少钱"): it names no service, so whatever its few words
matched is not one (the conversation's service is meant).
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.sentence_featurizer import EMBEDDED_TEXT
from contract.knowledge import KNOWLEDGE_KEY

if TYPE_CHECKING:
    from knowledge import KnowledgeBase

logger = logging.getLogger(__name__)

SERVICE_ENTITY = "service"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class KnowledgeRetriever(GraphComponent):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            "top_k": 3,
            # Load the model when the server starts rather than on the first resident's message.
            "preload": True,
        }

    def __init__(self, config: dict[str, Any], knowledge_base: KnowledgeBase | None = None) -> None:
        self._config = config
        self._kb = knowledge_base

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> KnowledgeRetriever:
        # Training does not need the knowledge base: it is loaded lazily on the first message.
        return cls(config)

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> KnowledgeRetriever:
        component = cls(config)
        if config["preload"]:
            component.knowledge_base  # noqa: B018 - warm up: loads the index and the embedding model
        return component

    @property
    def knowledge_base(self) -> KnowledgeBase:
        if self._kb is None:
            from knowledge import KnowledgeBase  # heavy (embedding model): imported on first use

            self._kb = KnowledgeBase.from_settings()
            logger.info("knowledge base loaded: %d services", len(self._kb.services))
        return self._kb

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            # "/intent{...}" button payloads are not questions (Rasa parses them by regex).
            if not text.strip() or text.startswith("/"):
                continue
            self._process_one(message, text)
        return messages

    def _process_one(self, message: Message, text: str) -> None:
        kb = self.knowledge_base
        canonical = {service.name for service in kb.services}
        entities = [dict(entity) for entity in message.get(ENTITIES, [])]
        services = [entity for entity in entities if entity["entity"] == SERVICE_ENTITY]
        to_map = [entity for entity in services if entity["value"] not in canonical]
        # One embedding batch for the message and every service mention that needs mapping.
        embedded = message.get(EMBEDDED_TEXT)
        known = {embedded.text: embedded.vector} if embedded and embedded.model == kb.embedder.name else {}
        queries = [text, *(str(e["value"]) for e in to_map)]
        result, *mapped = kb.search_many(queries, k=self._config["top_k"], embedded=known)
        ranked = [hit.service for hit in result.hits] if result.confident else []
        named, words = kb.service_mentions, kb.service_words
        unplaced: list[dict[str, Any]] = []
        for entity, mapping in zip(to_map, mapped, strict=True):
            # A short mention ("社保") fits several services; the whole question says which one:
            # take the mention's match that the question ranks best, else the mention's own best.
            candidates = {hit.service for hit in mapping.hits}
            agreed = next((service for service in ranked if service in candidates), None)
            if ranked and agreed != ranked[0] and str(entity["value"]) not in named:
                # A word that names no service ("户口" in "户口都在舒城，能在市里领结婚证吗") is context, not
                # the service: the question the knowledge base is sure about decides.
                entity["value"] = ranked[0]
            elif agreed:
                entity["value"] = agreed
            elif not ranked and str(entity["value"]) not in words:
                # A word that is no service's name, alias or keyword ("手续" in "农村翻盖老房子要办啥规划手续",
                # "居民" in a letter about a drain), in a message the knowledge base cannot place: no service.
                # Alone, "手续" matched 离婚登记.
                unplaced.append(entity)
            elif mapping.confident:
                entity["value"] = mapping.hits[0].service
        # A service named in a question about something its guide does not deal with ("结婚证丢了怎么补办": 补办 is
        # not 结婚登记's) is no answer: without the entity, the assistant offers the question to a person.
        unplaced += [e for e in services if kb.about_another_subject(text, str(e["value"]))]
        gone = {id(entity) for entity in unplaced}
        entities = [entity for entity in entities if id(entity) not in gone]
        services = [entity for entity in services if id(entity) not in gone]
        # Hits below this are not even offered as a choice (KNOWLEDGE_CANDIDATE_FRACTION).
        floor = kb.settings.candidate_fraction * kb.settings.threshold
        # The search's result (query, confidence, aspect, ...) with only the hits worth offering.
        offered = replace(result, hits=[hit for hit in result.hits if hit.score >= floor])
        if not services and offered.best and not offered.follow_up:
            entities.append(
                {
                    "entity": SERVICE_ENTITY,
                    "value": offered.best.service,
                    "start": 0,
                    "end": len(text),
                    "confidence_entity": offered.best.score,
                    "extractor": self.__class__.__name__,
                }
            )
        message.set(KNOWLEDGE_KEY, offered.to_dict(), add_to_output=True)
        message.set(ENTITIES, entities, add_to_output=True)
