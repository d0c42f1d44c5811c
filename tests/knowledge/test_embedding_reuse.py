"""A question the caller has already embedded (Rasa's sentence featurizer embeds every message) is not
embedded again by the search."""

from __future__ import annotations

import numpy as np

from knowledge import KnowledgeBase, KnowledgeSettings
from knowledge.embedders import HashingEmbedder


class CountingEmbedder(HashingEmbedder):
    """The test embedder, keeping every text it is asked to embed."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    def encode(self, texts: list[str]) -> np.ndarray:
        self.texts = [*self.texts, *texts]
        return super().encode(texts)


def test_only_texts_not_embedded_yet_are_embedded_and_the_results_do_not_change(
    settings: KnowledgeSettings,
) -> None:
    embedder = CountingEmbedder()
    kb = KnowledgeBase(settings.with_changes(mode="hybrid"), embedder)
    plain = "居住证怎么办理"  # expanded, it stays the same text
    widened = "社保卡丢了怎么补办"  # expanded, it gains 社会保障卡: another text to embed
    known = dict(zip([plain, widened], HashingEmbedder().encode([plain, widened]), strict=True))
    embedder.texts = []

    reused = kb.search_many([plain, widened], embedded=known)

    assert len(embedder.texts) == 1
    assert embedder.texts[0].startswith(widened) and embedder.texts[0] != widened
    assert [result.hits for result in reused] == [result.hits for result in kb.search_many([plain, widened])]
