"""六安政务 service knowledge base and retrieval, used by the gateway and by the Rasa pipeline.

Importing this package is cheap: models and indexes load in ``KnowledgeBase.from_settings``.
"""

from contract.knowledge import Hit, SearchResult
from knowledge.knowledge_base import KnowledgeBase
from knowledge.schema import KnowledgeFormatError, Service
from knowledge.settings import KnowledgeSettings

__all__ = ["Hit", "KnowledgeBase", "KnowledgeFormatError", "KnowledgeSettings", "SearchResult", "Service"]
