"""Who casts a budget ballot: a verified identity, reduced to a keyed hash so that ballots hold no personal data.

Two identities count as verified (issue 16): a WeChat openid, which only the action server can name (service
token, X-Resident-Sender `wx:<openid>` as the gateway prefixed it, api/senders.py; channel "wechat"); and a
phone confirmed by a one-time code (api/services/phone_codes.py), which gets a short-lived signed voter token
for the `X-Voter-Token` header. A resident with both could vote once as each; the page and docs/community.md
say one ballot per person.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta

import jwt
from fastapi import Request

from api.deps import is_service_call, named_resident
from api.errors import ApiError
from api.runtime import Runtime
from api.senders import wechat_openid

VOTER_HEADER = "x-voter-token"
# The token's audience: a staff token (no audience) is no voter token, and a voter token no staff token.
_AUDIENCE = "budget-voter"


def voter_key(runtime: Runtime, kind: str, identity: str) -> str:
    """The keyed hash a ballot is stored under (PII_KEY: rotate it between rounds, not during a vote)."""
    return hmac.new(runtime.settings.pii_key.encode(), f"voter:{kind}:{identity}".encode(), hashlib.sha256).hexdigest()


def issue_voter_token(runtime: Runtime, key: str, now: datetime) -> tuple[str, datetime]:
    expires = now + timedelta(minutes=runtime.settings.voter_token_minutes)
    claims = {"sub": key, "aud": _AUDIENCE, "iat": now, "exp": expires}
    return jwt.encode(claims, runtime.settings.jwt_secret, algorithm="HS256"), expires


def _token_voter(runtime: Runtime, token: str) -> str | None:
    try:
        claims = jwt.decode(
            token, runtime.settings.jwt_secret, algorithms=["HS256"], audience=_AUDIENCE, options={"require": ["exp"]}
        )
    except jwt.PyJWTError:
        return None
    return str(claims["sub"])


def _unverified() -> ApiError:
    return ApiError(
        401, "voter_not_verified", "投票前需要先验证身份：请用手机号获取验证码完成验证，或在六安政务微信公众号里投票。"
    )


def current_voter(request: Request, runtime: Runtime, channel: str | None) -> str:
    """The voter key of this request, or 401 `voter_not_verified` (an expired token too)."""
    if token := request.headers.get(VOTER_HEADER):
        voter = _token_voter(runtime, token)
        if voter is None:
            raise ApiError(401, "voter_token_expired", "身份验证已过期，请重新获取验证码验证手机号。")
        return voter
    openid = wechat_openid(named_resident(request) or "")
    if openid and channel == "wechat" and is_service_call(request, runtime):
        # Keyed on the bare openid, as before senders had a channel prefix: a ballot cast then is still found.
        return voter_key(runtime, "wechat", openid)
    raise _unverified()
