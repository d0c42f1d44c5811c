"""What the gateway itself says to residents in a conversation (chat, widget stream, WeChat), in one place.

Most answers come from the assistant (Rasa); these are the gateway's own lines: around the handoff to a
12345 agent, on the WeChat channel, and when the assistant cannot answer. Error messages of the HTTP API
stay with the code that raises them.
"""

from __future__ import annotations

# The assistant ------------------------------------------------------------------------------------
UNAVAILABLE = "抱歉，智能助手暂时无法回复，请稍后再试，或拨打12345政务服务便民热线。"
TOO_FAST = "您发送消息太频繁了，请稍等一分钟再试。"

# Handoff to a 12345 agent -------------------------------------------------------------------------
ACKNOWLEDGEMENT = "您的消息已转给12345人工客服，工作人员回复后会显示在这里，请稍候。"
AGENT_PREFIX = "【人工客服】"  # before an agent's reply, so residents see a person wrote it
RATING_PROMPT = "本次人工服务已办结。请为我们的服务打分（1-5分），您的评价会帮助我们改进。"
RATING_BUTTONS = [
    {"title": title, "payload": str(stars)}
    for stars, title in ((5, "5分 非常满意"), (4, "4分 满意"), (3, "3分 一般"), (2, "2分 不满意"), (1, "1分 很不满意"))
]
THANKS_FOR_RATING = "感谢您的评价！我们会继续改进服务。还有其他问题，可以随时问我。"
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
EMPTY_TEXT = "请直接输入文字描述您要咨询或办理的事项。"
TEXT_ONLY = "抱歉，我暂时还不能识别图片、语音和位置信息，" + EMPTY_TEXT
TRIMMED_NOTE = "……\n（内容较长，未尽事项请拨打12345政务服务便民热线咨询）"


def choose_by_number(count: int) -> str:
    """The hint under WeChat's numbered buttons (WeChat text messages have no buttons)."""
    return "回复数字1选择" if count == 1 else f"回复数字1-{count}选择"
