"""The questions the forms ask, one `action_ask_<slot>` each.

They live here and not as `utter_ask_<slot>` responses in domain.yml because Rasa's validator
reports responses that only forms use as "not used in any story or rule", and
`rasa data validate --fail-on-warnings` must pass. Questions built from live data
(`action_ask_apply_confirmed`, `action_ask_consultation`) live beside their forms.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

STAR_BUTTONS = [
    {"title": "⭐⭐⭐⭐⭐ 非常满意", "payload": '/inform{"stars": "5"}'},
    {"title": "⭐⭐⭐⭐ 满意", "payload": '/inform{"stars": "4"}'},
    {"title": "⭐⭐⭐ 一般", "payload": '/inform{"stars": "3"}'},
    {"title": "⭐⭐ 不太满意", "payload": '/inform{"stars": "2"}'},
    {"title": "⭐ 很不满意", "payload": '/inform{"stars": "1"}'},
]

QUESTIONS: dict[str, tuple[str, list[dict[str, str]]]] = {
    "service": ("请问您要办理哪项业务？比如“社保卡申领”“居住证办理”。", []),
    "applicant_name": ("请告诉我申请人的姓名。", []),
    "id_number": ("请输入申请人的18位身份证号码。", []),
    "phone": ("请留一个联系手机号，方便工作人员联系您。", []),
    "complaint_description": ("请您说说遇到了什么问题：在哪里、办什么事、发生了什么。", []),
    "suggestion_topic": ("您的建议是关于哪方面的？用几个字概括一下就行，比如“停车难”。", []),
    "suggestion_content": ("请说说您的具体建议。", []),
    "suggestion_phone": (
        "方便的话留个手机号，便于相关部门回访；不想留可以说“不用了”。",
        [{"title": "不用了", "payload": "/deny"}],
    ),
    "case_number": ("请提供办件编号，比如 LA2024060100012（以LA、TS、JY或GD开头）。", []),
    "phone_last4": ("为保护您的隐私，请输入办件时所留手机号的后4位。", []),
    "stars": ("请为这次服务打个分吧，1星最低，5星最高。", STAR_BUTTONS),
    "rating_comment": ("还有什么想对我们说的吗？没有的话说“没有”就好。", [{"title": "没有了", "payload": "/deny"}]),
}


class AskQuestion(Action, ABC):
    @property
    @abstractmethod
    def slot(self) -> str: ...

    def name(self) -> str:
        return f"action_ask_{self.slot}"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        text, buttons = QUESTIONS[self.slot]
        dispatcher.utter_message(text=text, buttons=buttons or None)
        return []


class AskService(AskQuestion):
    slot = "service"


class AskApplicantName(AskQuestion):
    slot = "applicant_name"


class AskIdNumber(AskQuestion):
    slot = "id_number"


class AskPhone(AskQuestion):
    slot = "phone"


class AskComplaintDescription(AskQuestion):
    slot = "complaint_description"


class AskSuggestionTopic(AskQuestion):
    slot = "suggestion_topic"


class AskSuggestionContent(AskQuestion):
    slot = "suggestion_content"


class AskSuggestionPhone(AskQuestion):
    slot = "suggestion_phone"


class AskCaseNumber(AskQuestion):
    slot = "case_number"


class AskPhoneLast4(AskQuestion):
    slot = "phone_last4"


class AskStars(AskQuestion):
    slot = "stars"


class AskRatingComment(AskQuestion):
    slot = "rating_comment"
