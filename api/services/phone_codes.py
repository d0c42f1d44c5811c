"""One-time codes that confirm a phone — a voter's, a property owner's — sent by SMS (api/sms.py), stored as keyed
hashes, valid for
SMS_CODE_MINUTES and SMS_CODE_ATTEMPTS tries; a phone gets a new one every SMS_RESEND_SECONDS, at most
SMS_PER_PHONE_HOUR an hour, and one address may ask for SMS_PER_ADDRESS_MINUTE a minute (texts cost money and
must not be usable to flood someone's phone)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from api.errors import ApiError
from api.models import PhoneCode
from api.runtime import Runtime
from api.sms import SmsError

CODE_TEXT = "【六安政务】您的{purpose}验证码是{code}，{minutes}分钟内有效。{warning}"
# What each code is for, as its text names it: whoever gets a code they did not ask for knows what someone tried.
VOTE = "投票"
PROPERTY_LOOKUP = "不动产信息查询"
_WARNINGS = {
    VOTE: "如非本人操作，请忽略本短信。",
    PROPERTY_LOOKUP: "验证码请勿告诉他人；如非本人操作，说明有人在查询您的不动产信息，请留意。",
}


def _keyed(runtime: Runtime, label: str, value: str) -> str:
    return hmac.new(runtime.settings.pii_key.encode(), f"{label}:{value}".encode(), hashlib.sha256).hexdigest()


def phone_key(runtime: Runtime, phone: str) -> str:
    """The keyed hash a phone's codes are kept under."""
    return _keyed(runtime, "phone", phone)


def send_code(
    session: Session, runtime: Runtime, phone: str, address: str, now: datetime, *, purpose: str
) -> PhoneCode:
    """Send a new code for `purpose` (VOTE, PROPERTY_LOOKUP) to `phone` (earlier ones stop working); 429 when the
    phone or address asks too often, 503 when the SMS provider cannot be reached."""
    settings = runtime.settings
    if not runtime.limiter.allow(f"sms-address:{address}", settings.sms_per_address_minute):
        raise ApiError(429, "too_many_codes", "获取验证码太频繁了，请稍等一分钟再试。")
    phone_hash = phone_key(runtime, phone)
    latest, in_hour = session.execute(
        select(func.max(PhoneCode.sent_at), func.count()).where(
            PhoneCode.phone_hash == phone_hash, PhoneCode.sent_at > now - timedelta(hours=1)
        )
    ).one()
    if latest is not None and (wait := settings.sms_resend_seconds - (now - latest).total_seconds()) > 0:
        raise ApiError(
            429, "code_recently_sent", f"验证码刚刚已发送，请{int(wait) + 1}秒后再重新获取。", retry_after=int(wait) + 1
        )
    if in_hour >= settings.sms_per_phone_hour:
        raise ApiError(429, "too_many_codes", "这个手机号获取验证码的次数太多了，请一小时后再试。")
    code = f"{secrets.randbelow(10**6):06d}"
    session.execute(update(PhoneCode).where(PhoneCode.phone_hash == phone_hash).values(used=True))
    row = PhoneCode(
        phone_hash=phone_hash,
        code_hash=_keyed(runtime, f"code:{phone_hash}", code),
        sent_at=now,
        expires_at=now + timedelta(minutes=settings.sms_code_minutes),
        attempts=0,
        used=False,
    )
    session.add(row)
    session.flush()
    try:
        text = CODE_TEXT.format(
            purpose=purpose, code=code, minutes=settings.sms_code_minutes, warning=_WARNINGS[purpose]
        )
        runtime.sms.send(phone, text)
    except SmsError:
        raise ApiError(503, "sms_unavailable", "短信暂时发送不出去，请稍后再试。") from None
    return row


@dataclass(frozen=True)
class CodeCheck:
    """The outcome of one try; the caller commits it (a wrong try counts) before it answers with `error`."""

    error: ApiError | None


def check_code(session: Session, runtime: Runtime, phone_hash: str, code: str, now: datetime) -> CodeCheck:
    """Try `code` against the latest code sent to the phone `phone_hash` (phone_key) names."""
    settings = runtime.settings
    row = session.scalars(
        select(PhoneCode)
        .where(PhoneCode.phone_hash == phone_hash, PhoneCode.used.is_(False))
        .order_by(PhoneCode.sent_at.desc())
        .limit(1)
        .with_for_update()  # two tries at once count as two
    ).first()
    if row is None or row.expires_at <= now:
        return CodeCheck(ApiError(400, "code_expired", "验证码已过期或还没有获取，请重新获取验证码。"))
    if row.attempts >= settings.sms_code_attempts:
        return CodeCheck(ApiError(429, "too_many_attempts", "验证码输错次数太多了，请重新获取验证码。"))
    row.attempts += 1
    if not hmac.compare_digest(row.code_hash, _keyed(runtime, f"code:{phone_hash}", code)):
        left = settings.sms_code_attempts - row.attempts
        message = f"验证码不正确，还可以再试{left}次。" if left else "验证码不正确，请重新获取验证码。"
        return CodeCheck(ApiError(400, "wrong_code", message, attempts_left=left))
    row.used = True
    return CodeCheck(None)
