"""A lookup across department systems for one property (不动产), as the gateway answers it.

`GET /api/property/{certificate}` (api/routes/property.py) asks the land, tax and housing departments at
once and answers a `PropertyLookup`: each department's part with what it returned, or, when it did not
answer in time, failed or answered nonsense, a Chinese `error` saying that part is missing. The agent
console shows it, and the action server reads it back with `PropertyLookup.from_json` to tell a resident.

A resident sees a property's records only as its owner (权利人): `POST /api/property/{certificate}/owner-check`
with the owner's ID number texts a code to the phone the land registry has on record and answers `OwnerCodeSent`;
the code, confirmed, lets that resident look the property up for a while (docs/departments.md "Lookups").

The certificate rule lives here too, so the chat can check what a resident typed before asking the gateway.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any, Self

from contract.receipts import _FromJson

# 不动产权证号: 皖(2026)六安市不动产权第0012345号 — province, year, registering city or county, 7-digit serial.
# Residents type the brackets full-width as often as not; both are accepted and the canonical form has ASCII ones.
_CERTIFICATE_RE = re.compile(r"^皖[(（](\d{4})[)）]([\u4e00-\u9fff]{2,10}?)不动产权第(\d{7})号$")
_SERIAL_RE = re.compile(r"^\d{7}$")


class CertificateError(ValueError):
    """Raised with a Chinese message that can be shown to the resident as is."""


def normalize_certificate(raw: str) -> str:
    """The certificate in canonical form: the full number with ASCII brackets, or a plain 7-digit serial."""
    value = re.sub(r"\s", "", raw)
    if _SERIAL_RE.match(value):
        return value
    match = _CERTIFICATE_RE.match(value)
    if not match:
        raise CertificateError(
            "不动产权证号格式不对，请按证书上的写法输入，例如“皖(2026)六安市不动产权第0012345号”，"
            "也可以只输入最后的7位数字编号"
        )
    year, place, serial = match.groups()
    return f"皖({year}){place}不动产权第{serial}号"


def certificate_serial(certificate: str) -> str:
    """The 7-digit serial of a canonical certificate (departments index their records by it)."""
    return certificate if _SERIAL_RE.match(certificate) else certificate[-8:-1]


@dataclass(frozen=True)
class LookupSource:
    """One department system a property lookup asks."""

    source: str  # land | tax | housing: the key in settings and in the stand-in service's paths
    department: str  # as in knowledge/categories.yaml
    label: str  # the part as residents read it (土地信息)


PROPERTY_SOURCES: tuple[LookupSource, ...] = (
    LookupSource("land", "市自然资源和规划局", "土地信息"),
    LookupSource("tax", "国家税务总局六安市税务局", "税务信息"),
    LookupSource("housing", "市住房和城乡建设局", "房屋信息"),
)


@dataclass(frozen=True)
class LookupPart(_FromJson):
    """One department's share of the answer: its fields (Chinese label -> value) or why it is missing."""

    source: str
    department: str
    label: str
    ok: bool
    fields: dict[str, str] = field(default_factory=dict)
    error: str | None = None  # Chinese, shown as is, when not ok


@dataclass(frozen=True)
class PropertyLookup:
    """The answer: every part in PROPERTY_SOURCES order; `complete` when all of them answered."""

    certificate: str
    parts: list[LookupPart]
    complete: bool
    elapsed_ms: int

    @property
    def missing(self) -> list[str]:
        """The labels of the parts that did not answer (土地信息, ...)."""
        return [part.label for part in self.parts if not part.ok]

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> Self:
        return cls(
            certificate=body["certificate"],
            parts=[LookupPart.from_json(part) for part in body["parts"]],
            complete=body["complete"],
            elapsed_ms=body["elapsed_ms"],
        )


@dataclass(frozen=True)
class OwnerCodeSent(_FromJson):
    """The ID number is an owner's: a code went to the phone on record, of which the resident sees only the end."""

    phone_last4: str
    expires_in_seconds: int
    resend_after_seconds: int
