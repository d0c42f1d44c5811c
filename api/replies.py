"""What the gateway itself says to residents in a conversation (chat, widget stream, WeChat), in one place.

Most answers come from the assistant (Rasa); these are the gateway's own lines: around the handoff to a
12345 agent, on the WeChat channel, and when the assistant cannot answer. Error messages of the HTTP API
stay with the code that raises them.
"""

from __future__ import annotations

import json
from datetime import datetime

_WEEKDAYS = "一二三四五六日"

# The assistant ------------------------------------------------------------------------------------
UNAVAILABLE = "抱歉，智能助手暂时无法回复，请稍后再试，或拨打12345政务服务便民热线。"


def assistant_down(ticket: str) -> str:
    """Rasa did not answer (api/outage.py): the message went to the agents as a hotline ticket."""
    return f"抱歉，智能助手暂时出了故障。您的留言已登记为工单{ticket}，不会丢失；急事请直接拨打12345。"


TOO_FAST = "您发送消息太频繁了，请稍等一分钟再试。"
NOTHING_RECEIVED = "没有收到内容，请输入您想咨询或办理的事。"
# The assistant answered nothing (a restart, or Rasa's loop guard): the gateway answers and repairs the tracker.
NOT_ANSWERED = "抱歉，我刚才没能回答上来。您可以换个说法再问，或者转人工客服。"
NOT_ANSWERED_BUTTONS = [{"title": "转人工客服", "payload": "/request_human"}]
# A custom action failed (the action server down): no button, a handoff would need the actions too.
NOT_TAKEN = (
    "抱歉，系统刚才出了点问题，您这条消息没能记下。前面填写的内容都还在，请稍等一两分钟再发一次；"
    "着急的话可以拨打12345政务服务便民热线。"
)


def too_long(limit: int) -> str:
    """A message over the limit goes on cut to its first `limit` characters, and the resident is told so: a
    long letter is still taken in (its matter comes first), and nothing is dropped silently."""
    return f"您发来的内容超过了{limit}字，我们按前{limit}字受理；后面的内容请在下一条消息里补充。"


# Handoff to a 12345 agent -------------------------------------------------------------------------
ACKNOWLEDGEMENT = "您的消息已转给12345人工客服，工作人员回复后会显示在这里，请稍候。"
# Later messages while waiting: short, and alternating so that no sentence comes twice in a row.
STILL_WAITING = ("已收到，已补充给人工客服。", "收到，人工客服会一并查看，请稍候。")


def after_hours(opening: str) -> str:
    """The first acknowledgement outside the agents' working hours; `opening` e.g. "明天上午8:30"."""
    return f"您的消息已转给12345人工客服。现在是非工作时间，工作人员会在{opening}后尽快回复您，请留意这里的消息。"


def opening_text(now: datetime, opening: datetime) -> str:
    """When agents start again, as a resident says it: 今天上午8:30, 明天上午8:30, 5月6日（周三）上午8:30."""
    days = (opening.date() - now.astimezone(opening.tzinfo).date()).days
    day = {0: "今天", 1: "明天"}.get(days) or f"{opening.month}月{opening.day}日（周{_WEEKDAYS[opening.weekday()]}）"
    half = "上午" if opening.hour < 12 else "下午"
    hour = opening.hour if opening.hour <= 12 else opening.hour - 12
    return f"{day}{half}{hour}:{opening.minute:02d}"


def withdrawn(ticket: str | None) -> str:
    """The resident took the handoff back (算了, 不用了 ...): the ticket stays open."""
    kept = f"工单{ticket}会保留，工作人员如需跟进会联系您。" if ticket else ""
    return f"好的，已为您取消人工服务，接下来由智能助手继续为您服务。{kept}"


# Kept in the ticket's transcript for staff (never shown to the resident, who reads `withdrawn`).
WITHDRAWN_NOTE = "居民已取消人工服务，会话转回智能助手，工单保持未办结。"
AGENT_PREFIX = "【人工客服】"  # before an agent's reply, so residents see a person wrote it
RATING_PROMPT = "本次人工服务已办结。请为我们的服务打分（1-5分），您的评价会帮助我们改进。"
RATING_BUTTONS = [
    {"title": title, "payload": str(stars)}
    for stars, title in ((5, "5分 非常满意"), (4, "4分 满意"), (3, "3分 一般"), (2, "2分 不满意"), (1, "1分 很不满意"))
]
THANKS_FOR_RATING = "感谢您的评价！我们会继续改进服务。还有其他问题，可以随时问我。"
# A low rating of a resolved case that can be done again (contract.case_kinds: reopen_status): the way to it.
LOW_RATING_STARS = 2
LOW_RATING_REOPEN = "感谢您的评价，很抱歉没有让您满意。如果问题还没有解决，可以点“不满意，申请重办”，我们会重新办理。"


def reopen_buttons(number: str) -> list[dict[str, str]]:
    """不满意重办 of the case (the assistant's reopen_case intent, actions/reopen.py)."""
    return [{"title": "不满意，申请重办", "payload": "/reopen_case" + json.dumps({"case_number": number})}]


HANDED_BACK = "人工客服已结束本次对话，接下来由智能助手继续为您服务。如需人工帮助，可以随时说“转人工”。"
# Kept in the conversation for the agent (WeChat residents never read the stream, so only agents see it).
UNDELIVERED = (
    "上一条回复没有送达居民（渠道发送失败；微信只能在居民最近一次留言后48小时内回复）。"
    "请改用电话联系，或等居民再次留言后重发。"
)

# WeChat Official Account --------------------------------------------------------------------------
WELCOME = (
    "您好，欢迎关注六安政务智能助手！我可以帮您：\n"
    "· 咨询政务服务事项的办理条件、材料和流程\n"
    "· 在线申请办理事项，提交投诉或政策建议\n"
    "· 查询办件和投诉的办理进度\n"
    "· 转接12345人工客服\n"
    "请直接输入您的问题，例如“新生儿怎么办理户口”。"
)
TEXT_ONLY = "抱歉，我暂时还不能识别语音和位置信息，请直接输入文字描述您要咨询或办理的事项。"
PHOTO_NOT_RECEIVED = "抱歉，这张照片没有收到，请稍后重新发送；也可以直接用文字描述情况。"
TRIMMED_NOTE = "……\n（内容较长，未尽事项请拨打12345政务服务便民热线咨询）"


def choose_by_number(count: int) -> str:
    """The hint under WeChat's numbered buttons (WeChat text messages have no buttons)."""
    return "回复数字1选择" if count == 1 else f"回复数字1-{count}选择"


# Who closed a case that no department holds: the hotline's agents.
HOTLINE = "12345热线"


# A department's report on a case, told outside any conversation (api/services/department_reports.py) --------
def department_report(
    kind_name: str, number: str, department: str, report: str, remark: str | None, reopenable: bool = False
) -> str:
    """accepted / progress / resolved, with the department's note or result as it wrote it. A resolution of a case
    that can be done again asks how it went (回访): the stars, or 不满意，申请重办 (api/routes/departments.py)."""
    if report == "accepted":
        said = f"您的{kind_name}{number}已由{department}受理，办理有进展会再告诉您。"
        return said + (f"\n说明：{remark}" if remark else "")
    if report == "progress":
        return f"您的{kind_name}{number}有新进展（{department}）：{remark}"
    resolved = f"您的{kind_name}{number}已办结（{department}）。\n" + (f"处理结果：{remark}\n" if remark else "")
    if reopenable:
        return resolved + "请您为办理结果打个分；如果问题没有解决，可以点“不满意，申请重办”。"
    return resolved + "如有疑问，可以随时问我。"


def case_decided(kind_name: str, number: str, department: str, status_text: str, remark: str | None) -> str:
    """A case closed by a decision rather than a resolution (an application not accepted, a suggestion adopted),
    told to the resident with the reason as staff wrote it (api/routes/staff.py)."""
    said = f"您的{kind_name}{number}{status_text}（{department}）。\n" + (f"说明：{remark}\n" if remark else "")
    return said + "如有疑问，可以随时问我。"
