"""Case status by number plus the last 4 digits of the phone given when filing."""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions import replies
from actions.case_api import CaseApiError, CaseStatus, WithCaseApi
from actions.form_base import FormValidation, reset_form_slots

CASE_NUMBER = re.compile(r"(LA|TS|JY|GD)\d{8,}")
KIND_NAMES = {"application": "办事申请", "complaint": "投诉", "suggestion": "建议", "ticket": "热线工单"}
STATUS_NAMES = {
    "submitted": "已提交，等待受理",
    "pending": "待处理",
    "accepted": "已受理",
    "assigned": "已转交承办部门",
    "in_progress": "办理中",
    "processing": "办理中",
    "replied": "已答复",
    "completed": "已办结",
    "closed": "已办结",
    "rejected": "未通过",
    "open": "处理中",
}


def status_text(status: CaseStatus) -> str:
    kind = KIND_NAMES.get(status.kind, status.kind)
    text = f"{kind} {status.number} 当前状态：{STATUS_NAMES.get(status.status, status.status)}。"
    if status.department:
        text += f"承办部门：{status.department}。"
    if status.deadline:
        text += f"办理时限：{replies.chinese_date(status.deadline)}。"
    return text


class ValidateStatusForm(FormValidation):
    def name(self) -> str:
        return "validate_status_form"

    def validate_case_number(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        match = CASE_NUMBER.search(re.sub(r"\s", "", str(value)).upper())
        if match is None:
            return self.reject(
                "case_number",
                "编号格式不对：办件编号以LA、TS、JY或GD开头，后面是数字，请核对后再输入。",
                dispatcher,
                tracker,
            )
        return self.accept("case_number", match.group(0), tracker)

    def validate_phone_last4(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        match = re.fullmatch(r"\D*(\d{4})\D*", str(value))
        if match is None:
            return self.reject("phone_last4", "请输入4位数字，也就是手机号的最后4位。", dispatcher, tracker)
        return self.accept("phone_last4", match.group(1), tracker)


class ActionCheckStatus(WithCaseApi, Action):
    def name(self) -> str:
        return "action_check_status"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        try:
            status = await self.api.case_status(tracker.get_slot("case_number"), tracker.get_slot("phone_last4"))
        except CaseApiError:
            dispatcher.utter_message(text="抱歉，查询系统暂时没有响应，请稍后再试，或拨打12345热线查询。")
            return reset_form_slots("status_form")
        if status is None:
            dispatcher.utter_message(text="没有查到对应的办件，请核对编号和手机号后四位是否正确。")
        else:
            dispatcher.utter_message(text=status_text(status))
        return reset_form_slots("status_form")
