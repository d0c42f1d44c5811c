"""Every case kind in one table: number prefix, the name residents read, statuses with their resident
texts, allowed transitions and the working-day deadline.

The case store's models (api/models.py) take their pipeline from here, the gateway sends `status_text`
from here, and the NLU's case-number regex (nlu_data/regex.yml) is generated from the prefixes
(scripts/generate_rasa_data.py).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

# What a department's system reports back on a case it was dispatched (api/services/department_reports.py).
REPORT_TYPES = ("accepted", "progress", "resolved")


@dataclass(frozen=True)
class CaseKind:
    kind: str
    prefix: str
    name: str  # as residents read it: "投诉 TS2026… 当前状态：…"
    initial_status: str
    # Every status of the kind, in pipeline order, with the text a resident reads.
    statuses: Mapping[str, str]
    transitions: Mapping[str, frozenset[str]]
    # The setting (api/settings.py) that gives the deadline in working days; None: no deadline.
    deadline_setting: str | None = None
    # The setting counts hours from filing instead (a response deadline: 社区事件 within 4 hours).
    deadline_in_hours: bool = False
    # The status a department system's report (docs/departments.md: accepted, progress, resolved) moves a case to,
    # along the transitions and only through statuses named here, so that a report never makes a decision that
    # is not the department's (a proposal's review and vote). A report not named keeps the status.
    report_statuses: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    # Open statuses in which the deadline is already met: a response deadline (社区事件) is met once the officer
    # accepts, and the case then gets no 督办 card however long the work itself takes.
    deadline_met: frozenset[str] = frozenset()
    # Where a resolved case goes back when the resident who filed it is not satisfied (不满意重办); None: the kind
    # is not reopened (an application's or a suggestion's outcome is a decision, not a repair).
    reopen_status: str | None = None
    # Statuses staff may set only with a note, because the resident is told why (an application not accepted).
    note_required: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        named = set(self.statuses)
        used = {self.initial_status, *self.transitions, *(t for ts in self.transitions.values() for t in ts)}
        used |= set(self.report_statuses.values()) | self.deadline_met | self.note_required
        used |= {self.reopen_status or self.initial_status}
        if used - named:
            raise ValueError(f"{self.kind}: statuses without a resident text: {sorted(used - named)}")
        if self.reopen_status and self.is_closed(self.reopen_status):
            raise ValueError(f"{self.kind}: reopened into the closed status {self.reopen_status}")
        if set(self.report_statuses) - set(REPORT_TYPES):
            raise ValueError(f"{self.kind}: unknown reports: {sorted(set(self.report_statuses) - set(REPORT_TYPES))}")

    def status_text(self, status: str) -> str:
        return self.statuses[status]

    def can_move(self, current: str, target: str) -> bool:
        return target in self.transitions.get(current, frozenset())

    def allowed(self, current: str) -> list[str]:
        return sorted(self.transitions.get(current, frozenset()))

    def is_closed(self, status: str) -> bool:
        return not self.transitions.get(status)

    @property
    def reopenable(self) -> bool:
        """Whether a resolved case of the kind goes back on its resident's dissatisfaction (不满意重办)."""
        return self.reopen_status is not None

    def deadline_runs(self, status: str) -> bool:
        """Whether a case in `status` is still held to its deadline (can get a yellow or red card)."""
        return self.deadline_setting is not None and not self.is_closed(status) and status not in self.deadline_met


def _kind(
    kind: str,
    prefix: str,
    name: str,
    statuses: dict[str, str],
    transitions: dict[str, set[str]],
    deadline_setting: str | None = None,
    deadline_in_hours: bool = False,
    report_statuses: dict[str, str] | None = None,
    deadline_met: set[str] | None = None,
    reopen_status: str | None = None,
    note_required: set[str] | None = None,
) -> CaseKind:
    return CaseKind(
        kind=kind,
        prefix=prefix,
        name=name,
        initial_status=next(iter(statuses)),
        statuses=MappingProxyType(statuses),
        transitions=MappingProxyType({k: frozenset(v) for k, v in transitions.items()}),
        deadline_setting=deadline_setting,
        deadline_in_hours=deadline_in_hours,
        report_statuses=MappingProxyType(report_statuses or {}),
        deadline_met=frozenset(deadline_met or ()),
        reopen_status=reopen_status,
        note_required=frozenset(note_required or ()),
    )


APPLICATION = _kind(
    "application",
    "LA",
    "办事申请",
    {
        "submitted": "已提交，等待受理",
        "accepted": "已受理",
        "processing": "办理中",
        "done": "已办结",
        "rejected": "未予受理",
    },
    {"submitted": {"accepted", "rejected"}, "accepted": {"processing", "rejected"}, "processing": {"done", "rejected"}},
    report_statuses={"accepted": "accepted", "progress": "processing", "resolved": "done"},
    note_required={"rejected"},
)
COMPLAINT = _kind(
    "complaint",
    "TS",
    "投诉",
    {"pending": "已受理，等待处理", "processing": "处理中", "resolved": "已办结"},
    {"pending": {"processing", "resolved"}, "processing": {"resolved"}},
    deadline_setting="complaint_deadline_workdays",
    report_statuses={"accepted": "processing", "progress": "processing", "resolved": "resolved"},
    reopen_status="processing",
)
SUGGESTION = _kind(
    "suggestion",
    "JY",
    "建议",
    {
        "received": "已收到，等待研究",
        # Held by the sensitive-word check until a reviewer publishes or rejects it (api/services/moderation.py).
        "pending_review": "已收到，内容审核通过后公开",
        "adopted": "已采纳",
        "noted": "已记录，供今后参考",
        "rejected": "经审核未予公开",
    },
    {"received": {"adopted", "noted"}, "pending_review": {"received", "rejected"}},
)
TICKET = _kind(
    "ticket",
    "GD",
    "热线工单",
    {"open": "待处理", "dispatched": "已派单至承办部门", "resolved": "已办结"},
    {"open": {"dispatched", "resolved"}, "dispatched": {"resolved", "open"}},
    deadline_setting="ticket_deadline_workdays",
    report_statuses={"resolved": "resolved"},
    # Back to the hotline's agents, who answer it again or dispatch it.
    reopen_status="open",
)
# 社区事件: a resident's report from their residential community, assigned to the grid officer of the building.
# The deadline is the officer's response (accepting it), in hours: the city promises 4 instead of 48.
INCIDENT = _kind(
    "incident",
    "SQ",
    "社区事件",
    {
        "reported": "已登记，正在安排网格员",
        "assigned": "已派给网格员，等待接单",
        "accepted": "网格员已接单",
        "in_progress": "网格员正在处理",
        "resolved": "已处理完毕",
    },
    {
        "reported": {"assigned"},
        # Reassigned when the officer is away or another officer takes over.
        "assigned": {"accepted", "assigned"},
        "accepted": {"in_progress", "resolved"},
        "in_progress": {"resolved"},
    },
    deadline_setting="incident_response_hours",
    deadline_in_hours=True,
    deadline_met={"accepted", "in_progress"},
    # A community's system reporting as the grid: its acceptance meets the response deadline as the officer's does.
    report_statuses={"accepted": "accepted", "progress": "in_progress", "resolved": "resolved"},
    # Back to the grid officer (the same one when available), who must accept it again within the response time.
    reopen_status="assigned",
)

# 预算项目提议: a resident's project for a participatory budget round (api/services/budget.py); the review panel
# accepts or rejects it, the round's vote funds it or not, and residents follow its implementation.
PROPOSAL = _kind(
    "proposal",
    "YS",
    "预算项目提议",
    {
        "submitted": "已提交，等待评审",
        "accepted": "评审通过，将参加投票",
        "rejected": "未通过评审",
        "funded": "已入选，列入本轮预算",
        "not_funded": "未入选本轮预算",
        "in_progress": "实施中",
        "completed": "已完工",
    },
    {
        "submitted": {"accepted", "rejected"},
        "accepted": {"funded", "not_funded"},
        "funded": {"in_progress"},
        "in_progress": {"completed"},
    },
    # The implementing department reports on a funded project; review and vote are the panel's and residents'.
    report_statuses={"accepted": "in_progress", "progress": "in_progress", "resolved": "completed"},
)

CASE_KINDS: Mapping[str, CaseKind] = MappingProxyType(
    {k.kind: k for k in (APPLICATION, COMPLAINT, SUGGESTION, TICKET, INCIDENT, PROPOSAL)}
)
KIND_BY_PREFIX: Mapping[str, CaseKind] = MappingProxyType({k.prefix: k for k in CASE_KINDS.values()})
PREFIXES: tuple[str, ...] = tuple(KIND_BY_PREFIX)

# Every status in which some kind's deadline still runs: the SQL filter of the 督办 cards. No such status is one
# where another kind with a deadline has met it (tests/contract/test_case_kinds.py checks it).
DEADLINE_RUNNING_STATUSES: tuple[str, ...] = tuple(
    sorted({status for spec in CASE_KINDS.values() for status in spec.statuses if spec.deadline_runs(status)})
)
# A case number as stored and shown: prefix and at least 8 digits (date and sequence).
CASE_NUMBER_PATTERN = rf"(?:{'|'.join(PREFIXES)})\d{{8,}}"
CASE_NUMBER = re.compile(CASE_NUMBER_PATTERN)


def prefixes_text() -> str:
    """'LA、TS、JY或GD': the prefixes as a resident reads them in a question."""
    return "、".join(PREFIXES[:-1]) + "或" + PREFIXES[-1]


def find_case_number(text: str) -> str | None:
    """The case number in what a resident typed ("ts 2026 1122 00001" too), upper-cased, or None."""
    match = CASE_NUMBER.search(re.sub(r"\s", "", text).upper())
    return match.group(0) if match else None


def kind_of_number(number: str) -> CaseKind | None:
    return KIND_BY_PREFIX.get(number.strip().upper()[:2])
