"""A resident sees a property's records only as its owner (权利人), the way a 不动产查询 counter works (issue 16):

1. the resident names the property and the owner's ID number; the land registry (the "land" source, the authority
   on owners) answers whether that ID number is an owner's and, if so, the mobile phone it has on record;
2. a code is texted to that phone (api/services/phone_codes.py), and the resident sees only its last 4 digits;
3. the code, confirmed, grants that resident (the chat's sender) lookups of that property for
   PROPERTY_GRANT_MINUTES. The action server's lookups are answered only with such a grant; staff need none.

An ID number that is not an owner's is refused without saying who the owner is, and counted per resident and per
certificate: after PROPERTY_OWNER_MAX_FAILURES the check is locked, so that it cannot be used to guess ID numbers.
One row per resident and certificate (`PropertyGrant`) holds only keyed hashes.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from api import audit
from api.db import transaction
from api.department_lookup import LookupTarget, OwnerCheck
from api.errors import ApiError
from api.models import DepartmentEndpoint, PropertyGrant
from api.runtime import Runtime
from api.services.phone_codes import PROPERTY_LOOKUP, check_code, send_code
from contract.personal_data import mask_id_number
from contract.property_lookup import PROPERTY_SOURCES, OwnerCodeSent, certificate_serial

SERVICE_ACTOR = ("action_server", "service")
# Rows are kept a day after their code was sent (a grant lasts minutes), then cleared by the next owner check.
KEPT = timedelta(days=1)


# Functions, not shared instances: a raised exception keeps its traceback, which a shared one would pile up.
def not_owner() -> ApiError:
    return ApiError(
        403,
        "not_owner",
        "您提供的身份证号与这本不动产权证的登记信息不一致，无法查询。请核对证号和权利人的身份证号；"
        "如有疑问，可带上身份证和不动产权证到不动产登记中心窗口查询。",
    )


def not_verified() -> ApiError:
    return ApiError(403, "owner_not_verified", "查询不动产信息前需要先验证权利人身份。")


def verification_expired() -> ApiError:
    return ApiError(403, "owner_verification_expired", "权利人身份验证已过期，请重新验证后再查询。")


def no_code() -> ApiError:
    return ApiError(400, "code_expired", "验证码已过期或还没有获取，请重新获取验证码。")


def unavailable() -> ApiError:
    return ApiError(503, "owner_check_unavailable", "不动产登记系统暂时无法核验身份，请稍后再试。")


def lookup_targets(session: Session, runtime: Runtime) -> list[LookupTarget]:
    """Where each source of PROPERTY_SOURCES is looked up (url None: the department has no lookup registered)."""
    names = [source.department for source in PROPERTY_SOURCES]
    registered = session.scalars(select(DepartmentEndpoint).where(DepartmentEndpoint.department.in_(names)))
    endpoints = {endpoint.department: endpoint for endpoint in registered}
    default = runtime.settings.department_lookup_timeout_seconds
    targets = []
    for source in PROPERTY_SOURCES:
        endpoint = endpoints.get(source.department)
        if endpoint is None or endpoint.lookup_url is None:
            targets.append(LookupTarget(source, None, "", default))
        else:
            timeout = endpoint.lookup_timeout_seconds or default
            targets.append(LookupTarget(source, endpoint.lookup_url, endpoint.signing_secret, timeout))
    return targets


def land_target(runtime: Runtime) -> LookupTarget:
    """The land registry, which answers owner checks."""
    with transaction(runtime.sessions) as session:
        return next(target for target in lookup_targets(session, runtime) if target.source.source == "land")


def _access_key(runtime: Runtime, sender: str, certificate: str) -> str:
    message = f"property-access:{sender}:{certificate}".encode()
    return hmac.new(runtime.settings.pii_key.encode(), message, hashlib.sha256).hexdigest()


def _failure_keys(sender: str, certificate: str) -> tuple[str, str]:
    # The serial, not the certificate as typed: its two spellings must not double the tries.
    return f"property-owner:sender:{sender}", f"property-owner:serial:{certificate_serial(certificate)}"


def refuse_when_locked(runtime: Runtime, sender: str, certificate: str) -> None:
    """429 `too_many_owner_checks` while the resident or the certificate has had too many refused ID numbers."""
    settings = runtime.settings
    failures = (runtime.limiter.failures(key) for key in _failure_keys(sender, certificate))
    if any(count >= settings.property_owner_max_failures for count in failures):
        raise ApiError(
            429,
            "too_many_owner_checks",
            f"身份核验未通过的次数太多了。为保护权利人的信息，请{settings.property_owner_lockout_minutes}分钟后再试，"
            "或带上身份证和不动产权证到不动产登记中心窗口查询。",
        )


def after_owner_check(
    runtime: Runtime, sender: str, certificate: str, id_number: str, check: OwnerCheck, now: datetime
) -> OwnerCodeSent:
    """Audit the check; refuse an ID number that is not an owner's (counted), else text a code to the owner's phone
    and keep the resident's pending check (a new one replaces it)."""
    with transaction(runtime.sessions) as session:
        masked = mask_id_number(id_number)
        audit.record(
            session,
            *SERVICE_ACTOR,
            "property_owner_check",
            certificate,
            sender=sender,
            id_number=masked,
            owner=check.owner,
        )
    if not check.owner or check.phone is None:
        for key in _failure_keys(sender, certificate):
            runtime.limiter.fail(key, runtime.settings.property_owner_lockout_minutes * 60)
        raise not_owner()
    settings = runtime.settings
    with transaction(runtime.sessions) as session:
        sent = send_code(session, runtime, check.phone, f"resident:{sender}", now, purpose=PROPERTY_LOOKUP)
        session.execute(delete(PropertyGrant).where(PropertyGrant.sent_at < now - KEPT))
        key = _access_key(runtime, sender, certificate)
        grant = session.scalars(select(PropertyGrant).where(PropertyGrant.access_key == key)).first()
        if grant is None:
            grant = PropertyGrant(access_key=key)
            session.add(grant)
        grant.phone_hash, grant.sent_at, grant.granted_until = sent.phone_hash, now, None
    return OwnerCodeSent(
        phone_last4=check.phone[-4:],
        expires_in_seconds=settings.sms_code_minutes * 60,
        resend_after_seconds=settings.sms_resend_seconds,
    )


def confirm_owner_code(runtime: Runtime, sender: str, certificate: str, code: str, now: datetime) -> datetime:
    """The code texted for the resident's pending check -> the end of their grant. A wrong code counts as a try
    (committed before the error answer), as for any phone code."""
    error: ApiError | None = no_code()
    until: datetime | None = None
    with transaction(runtime.sessions) as session:
        key = _access_key(runtime, sender, certificate)
        grant = session.scalars(select(PropertyGrant).where(PropertyGrant.access_key == key).with_for_update()).first()
        if grant is not None:
            error = check_code(session, runtime, grant.phone_hash, code, now).error
            if error is None:
                grant.granted_until = now + timedelta(minutes=runtime.settings.property_grant_minutes)
                until = grant.granted_until
    if error is not None or until is None:
        raise error or no_code()
    return until


def current_grant(runtime: Runtime, sender: str, certificate: str, now: datetime) -> datetime:
    """The end of the resident's grant for this property while it lasts; 403 as for a lookup without one."""
    with transaction(runtime.sessions) as session:
        return require_grant(session, runtime, sender, certificate, now)


def require_grant(session: Session, runtime: Runtime, sender: str | None, certificate: str, now: datetime) -> datetime:
    """403 unless the resident has confirmed being an owner of this property, and recently enough; else the end
    of that grant."""
    if not sender:
        raise not_verified()
    key = _access_key(runtime, sender, certificate)
    until = session.scalars(select(PropertyGrant.granted_until).where(PropertyGrant.access_key == key)).first()
    if until is None:
        raise not_verified()
    if until <= now:
        raise verification_expired()
    return until
