"""Routing a new case (docs/routing.md "Routing cases"): its level-1 and level-2 category and its department,
from what the caller gave, the service's department and the request router.

- The caller named a department or a category: kept, `routed_by="caller"`; the router fills what is missing
  (a department only for the caller's own category). Complaints and tickets keep only a department of the city
  (`city_department`): a word such as 社区 that the bot took from the resident's text is left to the router.
- A known service: its department is kept when the router agrees on the department or the category, or is not
  sure enough to overrule it, or places the text in a category about how a service was delivered (窗口服务态度:
  the service's window); a confident router that places the text elsewhere decides (the service was only a
  word of the text, "居民" read as 城乡居民养老保险). `routed_by="model"`.
- No service named, but the resident asked about one just before (`asked_service`) and the text is about how a
  service was delivered: that service's window, as if named ("上次去补卡态度很差" after a 社保卡 question).
- Otherwise the router decides (`routed_by="model"`); below `routing_confidence_threshold` the case keeps the
  suggested category but gets no department and waits in the triage queue for an agent.
- No router (model not built), or the router fails: the case is filed as given, logged once, never an error.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.orm import Session

from api.models import Case, Service
from api.runtime import Runtime
from api.services.departments import known_departments
from knowledge.places import describe, extract_place

logger = logging.getLogger(__name__)

CALLER = "caller"
MODEL = "model"


def split_category(value: str | None) -> tuple[str | None, str | None]:
    """ "level1/level2" (rows of before migration 0004, or a caller's) -> (level1, level2); else (value, None)."""
    if not value:
        return None, None
    level1, _, level2 = value.partition("/")
    return level1.strip() or None, level2.strip() or None


def _routed(runtime: Runtime, text: str) -> Any:
    if runtime.router is None:
        if not runtime.unrouted_logged:
            runtime.unrouted_logged = True
            logger.warning("request router not loaded: new cases are filed without a category or department")
        return None
    try:
        return runtime.router.route(text)
    except Exception:  # a routing bug must not lose a resident's case
        logger.exception("routing a new case failed; filed without a category")
        return None


def _about_service_conduct(runtime: Runtime, routed: Any) -> bool:
    category = runtime.categories.get(routed.category)
    return category is not None and category.about_service_conduct(routed.subcategory)


def _window_asked_about(session: Session, runtime: Runtime, routed: Any, asked_service: str | None) -> Service | None:
    """The service asked about just before, when the text is about how a service was delivered."""
    if asked_service is None or routed is None or not _about_service_conduct(runtime, routed):
        return None
    return session.get(Service, asked_service)


def city_department(runtime: Runtime, name: str | None) -> str | None:
    """`name` when it is one of the city's departments (categories.yaml), else None: the bot passes the department
    a resident's words mention ("我们也找过社区", "派出所"), which is no dispatch; the router then decides."""
    return name if name in known_departments(runtime.categories) else None


def place_in(text: str) -> str | None:
    """The place a request's text names, as one line ("金安区三里桥街道 梅山路"), or None."""
    place = extract_place(text)
    return describe(place) if place is not None else None


def route_case(
    session: Session,
    runtime: Runtime,
    case: Case,
    text: str,
    *,
    category: str | None = None,
    department: str | None = None,
    asked_service: str | None = None,
) -> None:
    """Fill `case`'s category, subcategory, department, routed_by, confidence and alternatives."""
    level1, level2 = split_category(category)
    service = session.get(Service, case.service) if case.service else None
    routed = _routed(runtime, text)
    if case.service is None and category is None and department is None:
        service = _window_asked_about(session, runtime, routed, asked_service)
        case.service = service.name if service is not None else None
    if routed is not None:
        case.routing_confidence = routed.confidence
        case.routing_alternatives = [
            {"category": a.category, "subcategory": a.subcategory, "department": a.department, "score": a.score}
            for a in routed.alternatives
        ]
    if level1 is not None or department is not None:
        case.routed_by = CALLER
        case.department = department or (service.department if service is not None else None)
        if level1 is None and routed is not None:
            level1, level2 = routed.category, routed.subcategory
        elif routed is not None and level1 == routed.category:
            level2 = level2 or routed.subcategory
            case.department = case.department or routed.department
        if case.department is None and level1 is not None and level1 in runtime.categories:
            departments = runtime.categories[level1].departments
            case.department = departments[0] if departments else None
        case.category, case.subcategory = level1, level2
        return
    if routed is None:
        # Filed as given: the service's department and category, else nothing (an agent assigns them).
        if service is not None:
            case.department, case.category = service.department, service.category
        return
    case.routed_by = MODEL
    case.category, case.subcategory = routed.category, routed.subcategory
    confident = routed.confidence >= runtime.settings.routing_confidence_threshold
    if service is not None and _about_service_conduct(runtime, routed):
        case.department = service.department  # "补卡窗口态度很差": the window is the service department's
    elif service is not None and routed.department != service.department:
        # The text is about something else than the service it names, surely (another department's level-2 of
        # the same category too: 过户 named in a letter about the water account, 供水供气), or else unsure: the
        # service's department with its category only (a level-2 of another department would contradict it).
        if confident:
            case.department = routed.department
        else:
            case.department, case.category, case.subcategory = service.department, service.category, None
    elif service is not None:
        case.department = service.department
    elif confident:
        case.department = routed.department
    else:
        case.department = None  # triage: an agent dispatches it


__all__ = ["CALLER", "MODEL", "place_in", "route_case", "split_category"]
