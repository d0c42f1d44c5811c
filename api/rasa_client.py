"""The gateway's client of the Rasa server (REST channel and HTTP API)."""

from __future__ import annotations

import logging
from typing import Any

import httpx

logger = logging.getLogger(__name__)

UNAVAILABLE = "抱歉，智能助手暂时无法回复，请稍后再试，或拨打12345政务服务便民热线。"


class RasaClient:
    def __init__(self, base_url: str, timeout: float) -> None:
        self._http = httpx.AsyncClient(base_url=base_url, timeout=timeout)

    async def send(self, sender: str, message: str, metadata: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """The assistant's replies to one resident message, in the contract's shape."""
        payload = {"sender": sender, "message": message, "metadata": metadata or {}}
        try:
            response = await self._http.post("/webhooks/rest/webhook", json=payload)
            response.raise_for_status()
            replies = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            logger.warning("rasa unavailable: %s", type(exc).__name__)
            return [{"text": UNAVAILABLE}]
        return [to_message(r) for r in replies if r.get("text") or r.get("buttons")]

    async def is_up(self) -> bool:
        try:
            return (await self._http.get("/", timeout=2)).status_code == 200
        except httpx.HTTPError:
            return False

    async def close(self) -> None:
        await self._http.aclose()


def to_message(reply: dict[str, Any]) -> dict[str, Any]:
    message: dict[str, Any] = {"text": reply.get("text") or ""}
    if reply.get("buttons"):
        message["buttons"] = [{"title": b["title"], "payload": b["payload"]} for b in reply["buttons"]]
    return message
