"""Request and response bodies of the department systems' API (api/routes/departments.py, docs/departments.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal, Self

from pydantic import AnyHttpUrl, BaseModel, Field, StringConstraints, model_validator

from api.schemas import IdNumber, Strict

Remark = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]
Secret = Annotated[str, StringConstraints(strip_whitespace=True, min_length=32, max_length=200)]


class EndpointRegistration(Strict):
    """An administrator registers (or changes) a department's system. Without `signing_secret` a new endpoint
    gets a generated one (shown once); a changed endpoint keeps its own."""

    webhook_url: AnyHttpUrl
    lookup_url: AnyHttpUrl | None = None
    lookup_timeout_seconds: float | None = Field(default=None, gt=0, le=30)
    signing_secret: Secret | None = None


class EndpointView(BaseModel):
    department: str
    webhook_url: str
    lookup_url: str | None
    lookup_timeout_seconds: float | None
    sample: bool
    created_at: datetime
    credential_rotated_at: datetime
    pending: int = 0  # deliveries still to be sent
    dead: int = 0


class EndpointSecrets(EndpointView):
    """The answer to a registration or a rotation: what the department configures, shown this once."""

    credential: str | None = None
    signing_secret: str | None = None


class DeliveryView(BaseModel):
    id: int
    case_number: str
    department: str
    event: str
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    delivered_at: datetime | None
    dead: bool
    created_at: datetime


class DeliveryPage(BaseModel):
    total: int
    items: list[DeliveryView]


class DepartmentReport(Strict):
    """A department reports on one of its cases: accepted, a progress note, or resolved with its result."""

    type: Literal["accepted", "progress", "resolved"]
    note: Remark | None = None  # a progress report's note; optional for the others
    result: Remark | None = None  # the result of a resolved case

    @model_validator(mode="after")
    def _says_what_it_must(self) -> Self:
        if self.type == "progress" and self.note is None:
            raise ValueError("进展报告需要填写进展说明（note）")
        if self.type == "resolved" and self.result is None:
            raise ValueError("办结报告需要填写处理结果（result）")
        return self


class CaseContact(BaseModel):
    """The resident's contact on a department's open case, unmasked (audited as department_read_contact)."""

    number: str
    name: str | None
    phone: str | None


class ReportReceipt(BaseModel):
    number: str
    status: str
    status_text: str
    # How the resident was told: pushed (their channel took it: WeChat), stream (it waits in their widget's
    # stream), not_delivered (no channel to reach them by, or the channel refused it).
    notice: Literal["pushed", "stream", "not_delivered"]


class OwnerCheckRequest(Strict):
    """The ID number a resident gives as the property's owner (权利人); checked with its check digit."""

    id_number: IdNumber


class OwnerCodeCheck(Strict):
    """The code texted to the owner's phone."""

    code: Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^\d{6}$")]


class OwnerGrant(BaseModel):
    """The resident may look the property up until then."""

    granted_until: datetime
