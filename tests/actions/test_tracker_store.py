"""The session-only Redis tracker store: same stored history as Rasa's, but only the last session rebuilt.

Runs against the real Redis (REDIS_TEST_URL) under a key prefix of its own.
"""

from __future__ import annotations

import asyncio
import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest

pytest.importorskip("rasa")

from rasa.core.tracker_store import RedisTrackerStore, create_tracker_store  # noqa: E402
from rasa.shared.core.domain import Domain  # noqa: E402
from rasa.shared.core.events import (  # noqa: E402
    ActionExecuted,
    BotUttered,
    Event,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker  # noqa: E402
from rasa.utils.endpoints import read_endpoint_config  # noqa: E402

from bot.tracker_store import SessionRedisTrackerStore, current_session_start, earlier_events  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
REDIS = urlparse(os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/0"))


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(ROOT / "domain.yml")


@pytest.fixture
def prefix() -> Iterator[str]:
    prefix = f"test{uuid.uuid4().hex[:10]}"
    yield prefix
    import redis

    client = redis.Redis(host=REDIS.hostname, port=REDIS.port or 6379, db=int(REDIS.path.lstrip("/") or 0))
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)


def stores(domain: Domain, prefix: str) -> tuple[SessionRedisTrackerStore, RedisTrackerStore]:
    options = {"host": REDIS.hostname, "port": REDIS.port or 6379, "db": int(REDIS.path.lstrip("/") or 0)}
    return (
        SessionRedisTrackerStore(domain, key_prefix=prefix, **options),
        RedisTrackerStore(domain, key_prefix=prefix, **options),
    )


def session(start: float, question: str) -> list[Event]:
    """One conversation session: started, a question, an answer, the answered service remembered."""
    return [
        ActionExecuted("action_session_start", timestamp=start),
        SessionStarted(timestamp=start + 0.1),
        ActionExecuted("action_listen", timestamp=start + 0.2),
        UserUttered(question, {"name": "ask_service", "confidence": 0.9}, timestamp=start + 0.3),
        ActionExecuted("action_answer_service", timestamp=start + 0.4),
        BotUttered(f"关于“{question}”的办理指南……", timestamp=start + 0.5),
        SlotSet("answered_service", question, timestamp=start + 0.6),
        ActionExecuted("action_listen", timestamp=start + 0.7),
    ]


def dicts(tracker: DialogueStateTracker | None) -> list[dict]:
    assert tracker is not None
    return [event.as_dict() for event in tracker.events]


def test_the_endpoints_file_loads_this_store(domain: Domain, monkeypatch: pytest.MonkeyPatch) -> None:
    # Rasa falls back to an in-memory store, with only a warning, when a custom store cannot be imported.
    for name, value in {"REDIS_HOST": REDIS.hostname, "REDIS_PORT": str(REDIS.port or 6379), "REDIS_DB": "0"}.items():
        monkeypatch.setenv(name, value or "")
    monkeypatch.setenv("REDIS_PASSWORD", "")
    monkeypatch.setenv("REDIS_PREFIX", "endpointstest")
    monkeypatch.setenv("TRACKER_RECORD_SECONDS", "3600")
    monkeypatch.setenv("ACTION_SERVER_URL", "http://127.0.0.1:5055/webhook")
    config = read_endpoint_config(str(ROOT / "endpoints.redis.yml"), "tracker_store")
    created = create_tracker_store(config, domain)
    store = getattr(created, "_tracker_store", created)
    assert isinstance(store, SessionRedisTrackerStore)
    assert store.record_exp == 3600.0


def test_reads_the_last_session_and_keeps_the_history(domain: Domain, prefix: str) -> None:
    ours, rasas = stores(domain, prefix)
    history = session(1000, "社保卡") + session(5000, "公积金") + session(9000, "居住证")

    async def scenario() -> None:
        await rasas.save(DialogueStateTracker.from_events("r1", history, domain.slots))
        # The same current session as Rasa's own store, without rebuilding the two earlier ones.
        current = await ours.retrieve("r1")
        assert dicts(current) == dicts(await rasas.retrieve("r1")) == [e.as_dict() for e in history[16:]]
        assert current is not None and current.get_slot("answered_service") == "居住证"

        # A new message: the earlier sessions stay stored, the new events are added once.
        current.update(UserUttered("谢谢", {"name": "thank", "confidence": 0.95}, timestamp=9001))
        current.update(ActionExecuted("action_listen", timestamp=9002))
        await ours.save(current)
        full = dicts(await ours.retrieve_full_tracker("r1"))
        assert full == [e.as_dict() for e in history] + dicts(current)[-2:]
        assert full == dicts(await rasas.retrieve_full_tracker("r1"))

        # A session that starts now (the old one expired) goes after the history, which stays intact.
        restarted = await ours.retrieve("r1")
        assert restarted is not None
        for event in session(20000, "落户"):
            restarted.update(event)
        await ours.save(restarted)
        assert dicts(await ours.retrieve("r1")) == [e.as_dict() for e in session(20000, "落户")]
        assert len(dicts(await ours.retrieve_full_tracker("r1"))) == len(full) + 8

    asyncio.run(scenario())


def test_new_and_replaced_conversations(domain: Domain, prefix: str) -> None:
    ours, _ = stores(domain, prefix)

    async def scenario() -> None:
        assert await ours.retrieve("nobody") is None
        await ours.save(DialogueStateTracker.from_events("r2", session(1000, "社保卡"), domain.slots))
        assert dicts(await ours.retrieve("r2")) == [e.as_dict() for e in session(1000, "社保卡")]
        # A conversation replaced through the HTTP API does not start anywhere in the stored history.
        await ours.save(DialogueStateTracker.from_events("r2", session(3000, "低保"), domain.slots))
        assert dicts(await ours.retrieve_full_tracker("r2")) == [e.as_dict() for e in session(3000, "低保")]

    asyncio.run(scenario())


def test_session_boundaries() -> None:
    events = [{"event": "action", "name": "action_listen"}, {"event": "user", "text": "你好"}]
    assert current_session_start(events) == 0
    events += [{"event": "action", "name": "action_session_start"}, {"event": "session_started"}]
    assert current_session_start(events) == 2
    assert earlier_events(events, {"event": "action", "name": "action_session_start"}) == events[:2]
    assert earlier_events(events, {"event": "user", "text": "别的"}) == []
    assert earlier_events(events, None) == events


def filed_session(start: float) -> list[Event]:
    """A session in which a resident gave their name, ID number and phone, as a form stores them."""
    return [
        ActionExecuted("action_session_start", timestamp=start),
        SessionStarted(timestamp=start + 0.1),
        ActionExecuted("action_listen", timestamp=start + 0.2),
        UserUttered(
            "我叫张三，电话13812345678",
            {"name": "inform", "confidence": 0.9},
            [{"entity": "phone", "value": "13812345678", "start": 9, "end": 20}],
            timestamp=start + 0.3,
        ),
        SlotSet("applicant_name", "张三", timestamp=start + 0.4),
        SlotSet("id_number", "340102199001011234", timestamp=start + 0.5),
        SlotSet("phone", "13812345678", timestamp=start + 0.6),
        BotUttered("已为您登记，联系电话13812345678。", timestamp=start + 0.7),
        ActionExecuted("action_listen", timestamp=start + 0.8),
    ]


def test_personal_data_of_closed_sessions_is_masked_and_records_expire(domain: Domain, prefix: str) -> None:
    options = {"host": REDIS.hostname, "port": REDIS.port or 6379, "db": int(REDIS.path.lstrip("/") or 0)}
    ours = SessionRedisTrackerStore(domain, key_prefix=prefix, record_exp="600", **options)
    raw = ours.red

    async def scenario() -> None:
        # The open session keeps what the form needs.
        await ours.save(DialogueStateTracker.from_events("r9", filed_session(1000), domain.slots))
        stored = str(json.loads(raw.get(ours.key_prefix + "r9")))
        assert "13812345678" in stored and "张三" in stored
        assert 0 < raw.ttl(ours.key_prefix + "r9") <= 600
        # A new session starts: the closed one is masked in storage, the new one is not.
        current = await ours.retrieve("r9")
        assert current is not None
        for event in filed_session(9000):
            current.update(event)
        await ours.save(current)
        retrieved = await ours.retrieve("r9")
        assert retrieved is not None and retrieved.get_slot("phone") == "13812345678"
        await ours.save(retrieved)  # the next message's save, once the new session is the current one
        events = (await ours.retrieve_full_tracker("r9")).events  # type: ignore[union-attr]
        first, second = list(events)[:9], list(events)[9:]
        texts = " ".join(str(e.as_dict()) for e in first)
        assert "13812345678" not in texts and "340102199001011234" not in texts and "张三" not in texts
        assert "138****5678" in texts
        assert "13812345678" in " ".join(str(e.as_dict()) for e in second)

    asyncio.run(scenario())
