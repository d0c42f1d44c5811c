"""Policy suggestions: pick an open consultation (or a free topic), write it, optionally leave a phone;
list the most liked suggestions of a consultation and like one."""

from __future__ import annotations

import json
import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import replies
from actions.case_api import CaseApiError, Consultation, WithCaseApi
from actions.form_base import FormValidation, only_states_intent, reset_form_slots
from actions.pii import normalize_phone

FREE_TOPIC = "other"
NO_PHONE = "不留"
MIN_SUGGESTION_CHARS = 6
_NO_PHONE_WORDS = ("不用", "不留", "跳过", "不需要", "不想留", "算了不留")
_TRIGGER = re.compile(r"^(我)?(想|要)?(提|给)?(个|一个|一条|点)?(建议|意见)[，,。:：]?")


def _payload(intent: str, **entities: str) -> str:
    return f"/{intent}{json.dumps(entities, ensure_ascii=False)}"


class ActionAskConsultation(WithCaseApi, Action):
    def name(self) -> str:
        return "action_ask_consultation"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        try:
            consultations = await self.api.open_consultations()
        except CaseApiError:
            consultations = []
        if not consultations:
            dispatcher.utter_message(text="您的建议是关于哪方面的？用几个字概括一下就行，比如“老城区停车难”。")
            return []
        buttons = [{"title": c.title, "payload": _payload("inform", consultation=c.id)} for c in consultations[:5]]
        buttons.append({"title": "其他话题", "payload": _payload("inform", consultation=FREE_TOPIC)})
        dispatcher.utter_message(
            text="目前正在征集意见的有下面几项，您的建议是关于哪一项？也可以选“其他话题”。", buttons=buttons
        )
        return []


def _matching_consultation(text: str, consultations: list[Consultation]) -> Consultation | None:
    for consultation in consultations:
        if consultation.id == text or consultation.title in text or text in consultation.title:
            return consultation
    return None


class ValidateSuggestForm(WithCaseApi, FormValidation):
    def name(self) -> str:
        return "validate_suggest_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> list[str]:
        if tracker.get_slot("consultation") in (None, FREE_TOPIC):
            return domain_slots
        return [slot for slot in domain_slots if slot != "suggestion_topic"]

    async def validate_consultation(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        text = str(value).strip()
        if text == FREE_TOPIC:
            return self.accept("consultation", FREE_TOPIC, tracker)
        try:
            consultations = await self.api.open_consultations()
        except CaseApiError:
            consultations = []
        match = _matching_consultation(text, consultations)
        if match:
            return self.accept("consultation", match.id, tracker)
        # Typed instead of picked: what the resident wrote is the free topic.
        if 2 <= len(text) <= 50:
            return {**self.accept("consultation", FREE_TOPIC, tracker), "suggestion_topic": text}
        return self.reject("consultation", "请选择一个征集专题，或者用几个字说说建议的主题。", dispatcher, tracker)

    def validate_suggestion_topic(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        text = str(value).strip()
        if 2 <= len(text) <= 50:
            return self.accept("suggestion_topic", text, tracker)
        return self.reject("suggestion_topic", "主题用2到50个字概括就好，比如“公交线路”。", dispatcher, tracker)

    def validate_suggestion_content(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        text = str(value).strip()
        if len(_TRIGGER.sub("", text).strip()) >= MIN_SUGGESTION_CHARS:
            return self.accept("suggestion_content", text[:2000], tracker)
        if only_states_intent(tracker, "give_suggestion"):
            return {"suggestion_content": None}
        return self.reject("suggestion_content", "能再具体一点吗？说说您希望怎么改、为什么。", dispatcher, tracker)

    def validate_suggestion_phone(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        text = str(value).strip()
        if text == NO_PHONE or any(word in text for word in _NO_PHONE_WORDS):
            return self.accept("suggestion_phone", NO_PHONE, tracker)
        phone = normalize_phone(text)
        if phone is None:
            return self.reject(
                "suggestion_phone", "手机号格式不对，请输入11位手机号，或者说“不用了”。", dispatcher, tracker
            )
        return self.accept("suggestion_phone", phone, tracker)


class ActionSubmitSuggestion(WithCaseApi, Action):
    def name(self) -> str:
        return "action_submit_suggestion"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        consultation = tracker.get_slot("consultation")
        consultation_id = None if consultation == FREE_TOPIC else consultation
        phone = tracker.get_slot("suggestion_phone")
        try:
            number = await self.api.submit_suggestion(
                content=tracker.get_slot("suggestion_content"),
                consultation_id=consultation_id,
                topic=tracker.get_slot("suggestion_topic"),
                phone=None if phone == NO_PHONE else phone,
                sender=tracker.sender_id,
            )
        except CaseApiError:
            dispatcher.utter_message(
                text=replies.HOTLINE_APOLOGY,
                buttons=[{"title": "重新提交", "payload": "/give_suggestion"}, *replies.human_buttons()],
            )
            return []
        buttons = replies.rate_buttons()
        if consultation_id:
            buttons.insert(
                0,
                {
                    "title": "看看大家的建议",
                    "payload": _payload("list_suggestions", consultation=consultation_id),
                },
            )
        dispatcher.utter_message(
            text=f"感谢您的建议！编号：{number}。我们会转给相关部门研究，采纳情况会在征集结束后公布。",
            buttons=buttons,
        )
        return [*reset_form_slots("suggest_form"), SlotSet("last_case_number", number)]


def _last_picked_consultation(tracker: Tracker) -> str | None:
    """The consultation this resident last wrote a suggestion for (its slot is reset after filing)."""
    for event in reversed(tracker.events):
        if event.get("event") == "slot" and event.get("name") == "consultation":
            if event.get("value") not in (None, FREE_TOPIC):
                return str(event["value"])
    return None


class ActionListSuggestions(WithCaseApi, Action):
    def name(self) -> str:
        return "action_list_suggestions"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        wanted = next(tracker.get_latest_entity_values("consultation"), None) or _last_picked_consultation(tracker)
        try:
            consultations = await self.api.open_consultations()
            consultation = next((c for c in consultations if c.id == wanted), None) or (
                consultations[0] if consultations else None
            )
            if consultation is None:
                dispatcher.utter_message(text="目前没有正在征集意见的专题。您有想法的话，随时可以说“我要提建议”。")
                return []
            top = await self.api.top_suggestions(consultation.id)
        except CaseApiError:
            dispatcher.utter_message(text="抱歉，暂时获取不到建议列表，请稍后再试。")
            return []
        if not top:
            dispatcher.utter_message(text=f"「{consultation.title}」还没有人提建议，欢迎您来提第一条！")
            return []
        lines = [f"「{consultation.title}」点赞最多的建议："]
        lines += [f"{i}. {s.content}（{s.likes}个赞，编号{s.number}）" for i, s in enumerate(top, start=1)]
        buttons = [
            {"title": f"为第{i}条点赞", "payload": _payload("like_suggestion", case_number=s.number)}
            for i, s in enumerate(top[:3], start=1)
        ]
        dispatcher.utter_message(text="\n".join(lines), buttons=buttons)
        return []


class ActionLikeSuggestion(WithCaseApi, Action):
    def name(self) -> str:
        return "action_like_suggestion"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        number = next(tracker.get_latest_entity_values("case_number"), None)
        # The number only names the liked suggestion; it must not prefill a later status check.
        forget = [SlotSet("case_number", None)]
        if not number or not number.upper().startswith("JY"):
            dispatcher.utter_message(text="请告诉我要点赞的建议编号（JY开头），或者先说“看看大家的建议”。")
            return forget
        try:
            likes = await self.api.like_suggestion(number.upper(), tracker.sender_id)
        except CaseApiError as error:
            if error.status == 409:
                dispatcher.utter_message(text="您已经为这条建议点过赞了，谢谢支持！")
            elif error.status == 404:
                dispatcher.utter_message(text="没有找到这条建议，请核对编号。")
            else:
                dispatcher.utter_message(text="抱歉，点赞暂时没有成功，请稍后再试。")
            return forget
        dispatcher.utter_message(text=f"已为这条建议点赞，目前共有{likes}个赞。")
        return forget
