"""Online application: validate the form, confirm with masked data, file through the case API."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import replies
from actions.case_api import CaseApiError, ServiceInfo, WithCaseApi
from actions.form_base import FormValidation, reset_form_slots
from actions.knowledge_hits import knowledge_of, service_buttons
from actions.pii import (
    mask_id_number,
    mask_name,
    mask_phone,
    normalize_id_number,
    normalize_name,
    states_a_name,
)
from actions.tracker_info import latest_intent, sender_channel, slot_before_latest_message

logger = logging.getLogger(__name__)


def offline_steps_text(info: ServiceInfo) -> str:
    lines = [f"“{info.name}”目前还不能在线申请，需要到现场办理。"]
    lines += [f"{i}. {step}" for i, step in enumerate(info.offline_steps, start=1)]
    if info.materials:
        lines.append(f"需要带：{'、'.join(info.materials)}")
    if info.place:
        lines.append(f"办理地点：{info.place}")
    return "\n".join(lines)


class ValidateApplyForm(WithCaseApi, FormValidation):
    def name(self) -> str:
        return "validate_apply_form"

    async def validate_service(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        knowledge = knowledge_of(tracker.latest_message)
        names = [str(value)]
        if knowledge and knowledge.get("confident") and knowledge["hits"]:
            names.append(knowledge["hits"][0]["service"])
        try:
            info = None
            for name in names:
                info = await self.api.service_info(name)
                if info:
                    break
        except CaseApiError:
            dispatcher.utter_message(text=replies.HOTLINE_APOLOGY)
            return {"service": None, "requested_slot": None}
        if info is None:
            buttons = service_buttons(knowledge, intent="inform")
            if buttons:
                dispatcher.utter_message(text="您要办理的是哪一项？", buttons=buttons)
                return {"service": None}
            return self.reject(
                "service", "没找到这项业务，请换个说法，比如“社保卡申领”“居住证办理”。", dispatcher, tracker
            )
        if not info.online:
            dispatcher.utter_message(text=offline_steps_text(info))
            # Ending the form here: nothing personal is collected for an offline-only service.
            return {"service": None, "requested_slot": None}
        earlier = slot_before_latest_message(tracker, "service")
        if earlier and earlier != info.name:
            # Another service named half way through replaces the first one; the resident should hear it.
            dispatcher.utter_message(text=f"好的，办理事项改为“{info.name}”。")
        return self.accept("service", info.name, tracker)

    def validate_applicant_name(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        if latest_intent(tracker) == "bot_challenge" and not states_a_name(str(value)):
            # "你是机器人吗" while the name is asked: answered, not a failed try, and the form asks again.
            # (The name slot takes bot challenges, so that "名字是何文斌" is a name even when read as one.)
            dispatcher.utter_message(response="utter_bot_challenge")
            return {"applicant_name": None}
        name = normalize_name(str(value))
        if name is None:
            return self.reject(
                "applicant_name", "姓名好像不太对，请输入申请人的中文姓名，比如“张三”。", dispatcher, tracker
            )
        return self.accept("applicant_name", name, tracker)

    def validate_id_number(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        number = normalize_id_number(str(value))
        if number is None:
            return self.reject(
                "id_number",
                "这个身份证号没有通过校验，请核对后重新输入18位号码（最后一位可能是X）。",
                dispatcher,
                tracker,
            )
        return self.accept("id_number", number, tracker)

    def validate_apply_confirmed(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        if value is True:
            return {"apply_confirmed": True}
        dispatcher.utter_message(text="好的，我们重新填写一遍申请人信息。")
        return {"apply_confirmed": None, "applicant_name": None, "id_number": None, "phone": None}


class ActionAskApplyConfirmed(Action):
    def name(self) -> str:
        return "action_ask_apply_confirmed"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        dispatcher.utter_message(
            text=(
                "请核对申请信息：\n"
                f"办理事项：{tracker.get_slot('service')}\n"
                f"申请人：{mask_name(tracker.get_slot('applicant_name'))}\n"
                f"身份证号：{mask_id_number(tracker.get_slot('id_number'))}\n"
                f"手机号：{mask_phone(tracker.get_slot('phone'))}\n"
                "确认无误就提交吗？要改手机号或身份证号，直接发新的号码就行。"
            ),
            buttons=[
                {"title": "确认提交", "payload": "/affirm"},
                {"title": "重新填写", "payload": "/deny"},
            ],
        )
        return []


class ActionSubmitApplication(WithCaseApi, Action):
    def name(self) -> str:
        return "action_submit_application"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        if tracker.get_slot("apply_confirmed") is not True:
            # The form ended without a confirmed application (offline-only service): nothing to file.
            return reset_form_slots("apply_form")
        sender, channel = sender_channel(tracker)
        try:
            receipt = await self.api.submit_application(
                service=tracker.get_slot("service"),
                applicant_name=tracker.get_slot("applicant_name"),
                id_number=tracker.get_slot("id_number"),
                phone=tracker.get_slot("phone"),
                sender=sender,
                channel=channel,
            )
        except CaseApiError as error:
            if error.code == "not_online":
                dispatcher.utter_message(text=error.message or "这项业务暂不支持在线申请，请到政务服务中心窗口办理。")
                return reset_form_slots("apply_form")
            # Slots are kept, so "重新提交" files the same application again without retyping.
            dispatcher.utter_message(
                text=replies.HOTLINE_APOLOGY,
                buttons=[{"title": "重新提交", "payload": "/apply_service"}, *replies.human_buttons()],
            )
            return []
        dispatcher.utter_message(
            text=(
                f"申请已提交！办件编号：{receipt.number}，由{receipt.department}办理，"
                f"预计{replies.chinese_date(receipt.expected_completion)}前办结。"
                "您可以随时凭编号和手机号后四位查询进度。"
            ),
            buttons=replies.rate_buttons(),
        )
        return [*reset_form_slots("apply_form"), SlotSet("last_case_number", receipt.number)]
