"""Resident-facing texts used by more than one action, and small formatting helpers."""

from __future__ import annotations

from datetime import date, datetime

HOTLINE_APOLOGY = "抱歉，系统暂时出了点问题，这次没有提交成功，您填写的内容没有丢失。请稍后再试，或拨打12345热线办理。"
OFFER_HUMAN_AFTER_TRIES = "如果不方便输入，也可以转人工客服帮您办理。"
BAD_PHONE = "手机号格式好像不对，请输入11位手机号码，比如13812345678。"
CANCELLED = "好的，已为您取消，刚才填写的信息不会提交。还有其他需要帮忙的吗？"


def human_buttons() -> list[dict[str, str]]:
    return [{"title": "转人工客服", "payload": "/request_human"}]


def switched(task: str, filled: bool) -> str:
    """Said when a resident leaves a form for another task (the new form's question follows)."""
    return f"好的，刚才的{task}先不办了，已填写的信息不会提交。" if filled else f"好的，刚才的{task}先不办了。"


def rate_buttons() -> list[dict[str, str]]:
    return [{"title": "评价本次服务", "payload": "/rate_service"}]


def chinese_date(value: str) -> str:
    """'2024-06-05' or an ISO datetime -> '2024年6月5日' (unparseable values are shown as they are)."""
    try:
        day = datetime.fromisoformat(value.replace("Z", "+00:00")).date()
    except ValueError:
        try:
            day = date.fromisoformat(value)
        except ValueError:
            return value
    return f"{day.year}年{day.month}月{day.day}日"
