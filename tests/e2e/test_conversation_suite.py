"""The conversation suite (tests/conversations) through the real gateway, Rasa server and action server.

Each conversation talks as a new resident; every turn must read as the conversation expects and keep the
house rules (a reply at all, nothing said twice, no raw codes, no nested brackets).
"""

from __future__ import annotations

import uuid

import pytest

from tests.conversations.suite import all_conversations, run
from tests.e2e.conftest import LiveStack

pytestmark = pytest.mark.rasa

CONVERSATIONS = all_conversations()


@pytest.mark.parametrize("conversation", CONVERSATIONS, ids=[f"{c.theme}:{c.name}" for c in CONVERSATIONS])
def test_conversation(live_stack: LiveStack, conversation) -> None:
    outcome = run(conversation, live_stack.chat, f"suite-{uuid.uuid4().hex[:10]}")
    transcript = "\n".join(
        f"居民：{said}\n" + "\n".join(f"  助手：{m.get('text', '')}" for m in messages)
        for said, messages in outcome.transcript
    )
    assert outcome.good, "\n".join(outcome.problems) + "\n" + transcript


def test_the_suite_is_large_enough_and_covers_every_theme() -> None:
    themes = {c.theme for c in CONVERSATIONS}
    assert len(CONVERSATIONS) >= 150
    assert themes == {"context", "dead_ends", "forms", "understanding", "handoff", "texts"}
