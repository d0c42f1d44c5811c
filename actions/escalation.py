"""Hand-over to the 12345 hotline: a GD ticket with the transcript, then the bot pauses."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, ConversationPaused, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import replies
from actions.answer import answer_question
from actions.case_api import CaseApi, CaseApiError, TranscriptLine, WithCaseApi
from actions.knowledge_hits import knowledge_of, suggestions_of
from actions.pii import mask_text
from actions.tracker_info import sender_channel

logger = logging.getLogger(__name__)

MAX_TRANSCRIPT_LINES = 60
FALLBACK_INTENT = "nlu_fallback"


def _timestamp(event: dict[str, Any]) -> str | None:
    stamp = event.get("timestamp")
    return datetime.fromtimestamp(stamp, UTC).isoformat() if stamp else None


def transcript_of(tracker: Tracker) -> list[TranscriptLine]:
    """The conversation so far, personal numbers masked; button payloads shown by their intent."""
    lines = []
    for event in tracker.events:
        kind, text = event.get("event"), event.get("text")
        if kind not in ("user", "bot") or not text:
            continue
        if kind == "user" and text.startswith("/"):
            text = f"[点击按钮] {text[1:]}"
        role = "resident" if kind == "user" else "bot"
        lines.append(TranscriptLine(role=role, text=mask_text(text), at=_timestamp(event)))
    return lines[-MAX_TRANSCRIPT_LINES:]


def _latest_knowledge(tracker: Tracker) -> dict[str, Any] | None:
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            knowledge = knowledge_of(event.get("parse_data"))
            if knowledge and knowledge.get("hits"):
                return knowledge
    return None


def _summary(tracker: Tracker) -> str:
    for event in reversed(tracker.events):
        text = event.get("text") or ""
        if event.get("event") == "user" and text and not text.startswith("/"):
            return mask_text(text)[:200]
    return "居民请求人工服务"


async def escalate(dispatcher: CollectingDispatcher, tracker: Tracker, api: CaseApi) -> list[EventType]:
    sender, channel = sender_channel(tracker)
    try:
        ticket = await api.create_ticket(
            sender=sender,
            channel=channel,
            summary=_summary(tracker),
            transcript=transcript_of(tracker),
            suggestions=suggestions_of(_latest_knowledge(tracker)),
            category=None,
            phone=tracker.get_slot("phone"),
        )
    except CaseApiError:
        dispatcher.utter_message(text="抱歉，转人工暂时没有成功。您可以直接拨打12345政务服务热线，工作人员会为您处理。")
        return []
    deadline = f"，最晚{replies.chinese_date(ticket.deadline)}前" if ticket.deadline else ""
    dispatcher.utter_message(
        text=(
            f"已为您转接12345热线人工服务，工单编号：{ticket.number}。"
            f"工作人员会查看我们刚才的对话{deadline}在这里回复您，请稍候；这期间我先不自动回复了。"
        )
    )
    events: list[EventType] = []
    if tracker.active_loop_name:
        events += [ActiveLoop(None), SlotSet("requested_slot", None)]
    return [*events, SlotSet("last_case_number", ticket.number), ConversationPaused()]


class ActionEscalateToHuman(WithCaseApi, Action):
    def name(self) -> str:
        return "action_escalate_to_human"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        return await escalate(dispatcher, tracker, self.api)


def _consecutive_fallbacks(tracker: Tracker) -> int:
    count = 0
    for event in reversed(tracker.events):
        if event.get("event") != "user":
            continue
        if (event.get("parse_data") or {}).get("intent", {}).get("name") != FALLBACK_INTENT:
            break
        count += 1
    return count


class ActionHandleFallback(WithCaseApi, Action):
    """Not understood: answer if the knowledge base is sure anyway, hand over after 2 misses in a row."""

    def name(self) -> str:
        return "action_handle_fallback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        api = self.api
        knowledge = knowledge_of(tracker.latest_message)
        if knowledge and knowledge.get("confident"):
            return await answer_question(dispatcher, tracker, api)
        if _consecutive_fallbacks(tracker) >= 2:
            dispatcher.utter_message(text="抱歉，我还是没能理解，为您转人工客服。")
            return await escalate(dispatcher, tracker, api)
        dispatcher.utter_message(
            text="抱歉，我没太明白您的意思。可以换个说法，或者直接说想办的事，比如“社保卡怎么办”。",
            buttons=replies.human_buttons(),
        )
        return []
