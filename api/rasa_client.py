"""The gateway's client of the Rasa servers (REST channel and HTTP API).

`RASA_URL` (`Settings.rasa_urls`) names one server or several (comma-separated) that share the tracker
and lock stores in Redis, so any of them can answer any resident. Each message goes to the server with the
fewest messages in flight (from all gateway workers when Redis is configured, api/rasa_load.py); among
equally busy servers the sender's own (a stable hash) comes first, so a resident usually stays on one
server. The hash alone would often leave one server with most of the load (20 residents rarely split
10/10), and its queue is what a resident waits in. A server that refuses the connection is skipped; after
a timeout the message may already have been handled, and sending it again could file a case twice, so it
is not retried.
"""

from __future__ import annotations

import asyncio
import logging
import zlib
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

from api.metrics import rasa_call
from api.rasa_load import InFlight, LocalInFlight
from api.replies import UNAVAILABLE
from api.request_id import METADATA_KEY, current_request_id, outgoing_headers
from contract.turns import ACTION_FAILED_KEY, TurnMark, read_mark

logger = logging.getLogger(__name__)

MESSAGE_PATH = "/webhooks/rest/webhook"


@dataclass
class AssistantReply:
    messages: list[dict[str, Any]]
    marks: list[TurnMark]
    # No Rasa server answered: `messages` is the apology, and the gateway keeps the message for agents.
    unavailable: bool = False
    # A custom action could not run (bot/serve.py): the message was not taken, the conversation is as before it.
    action_failed: bool = False


class RasaClient:
    def __init__(
        self, base_urls: list[str], timeout: float, in_flight: InFlight | None = None, token: str | None = None
    ) -> None:
        # Rasa's HTTP API (tracker events) takes its `--auth-token` as the `token` query parameter only.
        params = {"token": token} if token else None
        self._servers = [httpx.AsyncClient(base_url=url, timeout=timeout, params=params) for url in base_urls]
        self._in_flight = in_flight or LocalInFlight(len(self._servers))

    async def servers_for(self, sender: str) -> list[int]:
        """Server indexes in the order to try: least busy first, the sender's own first among equals."""
        if len(self._servers) == 1:
            return [0]
        first = zlib.crc32(sender.encode()) % len(self._servers)
        by_hash = [(first + i) % len(self._servers) for i in range(len(self._servers))]
        counts = await self._in_flight.counts()
        return sorted(by_hash, key=lambda index: counts[index])  # sorted() is stable

    async def _post(self, sender: str, path: str, payload: dict[str, Any]) -> httpx.Response:
        order = await self.servers_for(sender)
        for index in order[:-1]:
            try:
                return await self._post_to(index, path, payload)
            except httpx.ConnectError:
                logger.warning("rasa server %s unreachable, trying the next", self._servers[index].base_url)
        return await self._post_to(order[-1], path, payload)

    async def _post_to(self, index: int, path: str, payload: dict[str, Any]) -> httpx.Response:
        token = await self._in_flight.start(index)
        try:
            with rasa_call("message" if path == MESSAGE_PATH else "event"):
                response = await self._servers[index].post(path, json=payload, headers=outgoing_headers())
                return response.raise_for_status()
        finally:
            await self._in_flight.finish(index, token)

    async def send(self, sender: str, message: str, metadata: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """The assistant's replies to one resident message, in the contract's shape."""
        return (await self.exchange(sender, message, metadata)).messages

    async def exchange(self, sender: str, message: str, metadata: dict[str, Any] | None = None) -> AssistantReply:
        """The replies to show, and the turn markers (contract/turns.py) the actions sent along: these are
        taken out here, so that no channel can show them to a resident."""
        metadata = dict(metadata or {})
        if request_id := current_request_id():
            metadata[METADATA_KEY] = request_id  # on to the actions' calls back (actions/case_api.py)
        payload = {"sender": sender, "message": message, "metadata": metadata}
        try:
            replies = (await self._post(sender, MESSAGE_PATH, payload)).json()
        except (httpx.HTTPError, ValueError) as exc:
            logger.warning("rasa unavailable: %s", type(exc).__name__)
            return AssistantReply([{"text": UNAVAILABLE}], [], unavailable=True)
        marks = [mark for r in replies if (mark := read_mark(r.get("custom"))) is not None]
        failed = any(isinstance(r.get("custom"), dict) and ACTION_FAILED_KEY in r["custom"] for r in replies)
        shown = [to_message(r) for r in replies if r.get("text") or r.get("buttons")]
        return AssistantReply(shown, marks, action_failed=failed)

    async def resume(self, sender: str) -> bool:
        """Undo the assistant's ConversationPaused so it answers this resident again, and leave the tracker
        listening: the hand-over action was its last, and Rasa's rules only follow an `action_listen`."""
        return await self._append_event(sender, {"event": "resume"}) and await self.listen(sender)

    async def listen(self, sender: str) -> bool:
        """Append action_listen, so that a tracker left without one (after a restart, or Rasa's loop guard)
        waits for the resident's next message again instead of answering nothing."""
        return await self._append_event(sender, {"event": "action", "name": "action_listen"})

    async def _append_event(self, sender: str, event: dict[str, Any]) -> bool:
        # Any server will do: they share the tracker store (api/rasa_client.py's module comment).
        try:
            # Rasa takes the path's conversation id as it is, undecoded: "web%3Aab" would be another tracker than
            # the webhook's "web:ab" (senders carry their channel: api/senders.py). Only ':' is kept as typed.
            await self._post(sender, f"/conversations/{quote(sender, safe=':')}/tracker/events", event)
        except httpx.HTTPError as exc:
            logger.warning("rasa %s event failed: %s", event["event"], type(exc).__name__)
            return False
        return True

    async def servers_up(self) -> tuple[int, int]:
        """How many servers answer, out of how many are configured (asked at once: health stays fast)."""
        answers = await asyncio.gather(*(_answers(server) for server in self._servers))
        return sum(answers), len(self._servers)

    async def close(self) -> None:
        for server in self._servers:
            await server.aclose()
        await self._in_flight.close()


async def _answers(server: httpx.AsyncClient) -> bool:
    try:
        return (await server.get("/", timeout=2)).status_code == 200
    except httpx.HTTPError:
        return False


def to_message(reply: dict[str, Any]) -> dict[str, Any]:
    message: dict[str, Any] = {"text": reply.get("text") or ""}
    if reply.get("buttons"):
        message["buttons"] = [{"title": b["title"], "payload": b["payload"]} for b in reply["buttons"]]
    return message
