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


def _materials(service: Service, budget: int) -> str:
    return _listing(f"办理{service.name}需要准备：", service.materials, budget)


def _conditions(service: Service, budget: int) -> str:
    return _listing(f"申请{service.name}的条件：", service.conditions, budget)


def _place(service: Service, budget: int) -> str:
    place = service.place
    text = f"{service.name}的办理地点：{place.hall}（{place.address}）。办公时间：{place.hours}。"
    if service.online:
        text += "也可以在皖事通上网上办理。"
    return _clip(text, budget)


def _time_limit(service: Service, budget: int) -> str:
    if service.process_days == 0:
        text = f"{service.name}材料齐全、符合条件的，当场办结。"
    else:
        text = f"{service.name}承诺{service.process_days}个工作日内办结（材料齐全、符合条件时计算）。"
    return _clip(text, budget)


def _fee(service: Service, budget: int) -> str:
    return _clip(f"{service.name}的收费：{service.fee}。", budget)


def _online(service: Service, budget: int) -> str:
    if service.online:
        return _steps("可以网上办。", service.steps_online, budget)
    return _steps(f"{service.name}暂时不能网上办理，请到{service.place.hall}办理：", service.steps_offline, budget)


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
}
