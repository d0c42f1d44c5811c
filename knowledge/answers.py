"""Short answers (chat length) for the aspect that was asked, always naming their source."""

from __future__ import annotations

from collections.abc import Sequence

from knowledge.schema import Service

SAMPLE_CAUTION = "（示例数据，以窗口最新要求为准）"
# Chat answers stay under ~300 Chinese characters, source line included.
MAX_ANSWER_CHARS = 300


def source_of(service: Service) -> str:
    return f"{service.name}（{service.department}）"


def compose_answer(service: Service, aspect: str) -> str:
    footer = f"\n来源：{source_of(service)}{SAMPLE_CAUTION}"
    budget = MAX_ANSWER_CHARS - len(footer)
    body = _BODIES.get(aspect, _general)(service, budget)
    return body + footer


# A service name that already ends with what one does ("残疾人证办理", "结婚登记", "高龄津贴申领") takes no
# verb in front: "办理残疾人证办理" would say it twice. Other names take the verb ("办理食品经营许可"),
# the hotline its own ("拨打12345政务服务便民热线").
_ACTION_ENDINGS = (
    "办理", "申请", "申领", "登记", "开具", "备案", "报销", "报名", "查询", "补办", "换证", "补领", "补换",
    "激活", "认定", "汇算", "缴费", "提取", "迁移", "接种", "指导",
)  # fmt: skip
_OWN_VERBS = {"热线": "拨打"}


def doing(verb: str, name: str) -> str:
    """``verb`` + ``name``, or the name alone when it already ends with an action ("结婚登记")."""
    if name.endswith(_ACTION_ENDINGS):
        return name
    own = next((own for ending, own in _OWN_VERBS.items() if name.endswith(ending)), verb)
    return own + name


def _materials(service: Service, budget: int) -> str:
    return _listing(f"{doing('办理', service.name)}需要准备：", service.materials, budget)


def _conditions(service: Service, budget: int) -> str:
    return _listing(f"{doing('申请', service.name)}的条件：", service.conditions, budget)


def _place(service: Service, budget: int) -> str:
    # Hall and address each may carry brackets ("（示例地址）"): side by side, never one inside the other.
    place = service.place
    text = f"{service.name}的受理地点：{place.hall}；地址：{place.address}。办公时间：{place.hours}。"
    if service.online:
        text += "也可以在皖事通上网上办理。"
    return _clip(text, budget)


def _phone(service: Service, budget: int) -> str:
    text = f"{service.name}的咨询电话：{service.phone}（{service.department}），工作时间：{service.place.hours}。"
    if service.phone_note:
        text += service.phone_note.rstrip("。") + "。"
    return _clip(text, budget)


def _time_limit(service: Service, budget: int) -> str:
    if service.process_days == 0:
        text = f"{service.name}材料齐全、符合条件的，当场办结。"
    else:
        text = f"{service.name}承诺{service.process_days}个工作日内办结（材料齐全、符合条件时计算）。"
    if service.time_note:
        text += service.time_note.rstrip("。") + "。"
    return _clip(text, budget)


def _fee(service: Service, budget: int) -> str:
    return _clip(f"{service.name}的收费：{service.fee}。", budget)


def _online(service: Service, budget: int) -> str:
    if service.online:
        return _steps("可以网上办。", service.steps_online, budget)
    return _steps(
        f"{service.name}不能在网上提交。受理地点：{service.place.hall}。步骤：", service.steps_offline, budget
    )


def _general(service: Service, budget: int) -> str:
    # Online route first: most residents would rather not queue at a window.
    parts = [service.summary.rstrip("。") + "。"]
    if service.online:
        parts.append("网上办：" + "→".join(service.steps_online) + "。")
    parts.append(f"现场办：{service.place.hall}，{service.place.hours}。")
    days = "当场办结" if service.process_days == 0 else f"{service.process_days}个工作日办结"
    parts.append(f"{days}，{service.fee}。")
    text = ""
    for part in parts:
        if len(text) + len(part) > budget:
            break
        text += part
    return text or _clip(parts[0], budget)


def _listing(head: str, items: Sequence[str], budget: int) -> str:
    """``head`` then numbered items, as many as fit the budget (ending with 等 when some were left out)."""
    text = head
    for number, item in enumerate(items, start=1):
        piece = f"{number}. {item}；"
        if len(text) + len(piece) + 2 > budget:
            return text.rstrip("；") + "等。"
        text += piece
    return text.rstrip("；") + "。"


def _steps(head: str, steps: Sequence[str], budget: int) -> str:
    return _clip(head + "→".join(steps) + "。", budget)


def _clip(text: str, budget: int) -> str:
    return text if len(text) <= budget else text[: budget - 1] + "…"


_BODIES = {
    "materials": _materials,
    "conditions": _conditions,
    "place": _place,
    "time_limit": _time_limit,
    "fee": _fee,
    "online": _online,
    "phone": _phone,
}
