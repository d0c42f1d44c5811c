"""Staff login."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field
from sqlalchemy import select

from api import audit
from api.db import transaction
from api.deps import RuntimeDep, client_ip
from api.errors import ApiError
from api.models import StaffUser
from api.schemas import TokenPublic
from api.security import Role, issue_token, spend_a_password_check, verify_password

router = APIRouter(prefix="/api/auth", tags=["auth"])


class Login(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=128)


@router.post("/login", response_model=TokenPublic)
def login(body: Login, request: Request, runtime: RuntimeDep) -> TokenPublic:
    settings = runtime.settings
    address = client_ip(request, runtime)
    if not runtime.limiter.allow(f"login:{address}", settings.login_per_minute):
        raise ApiError(429, "rate_limited", "登录尝试过于频繁，请稍后再试")
    # Per username and address: guessing one account's password stops, and a guesser elsewhere cannot lock
    # its owner out.
    attempts = f"login:{body.username}:{address}"
    if runtime.limiter.failures(attempts) >= settings.login_max_failures:
        raise ApiError(429, "login_locked", f"密码错误次数过多，请{settings.login_lockout_minutes}分钟后再试")
    with transaction(runtime.sessions) as session:
        user = session.scalars(select(StaffUser).where(StaffUser.username == body.username)).first()
        if user is not None and user.active:
            ok = verify_password(user.password_hash, body.password)
        else:
            spend_a_password_check(body.password)
            ok = False
        # Failed attempts are audited too, so the entry must be committed before refusing.
        audit.record(
            session, body.username, user.role if ok and user else "unknown", "login" if ok else "login_failed", None
        )
        answer = (
            TokenPublic(
                access_token=issue_token(
                    user.username, Role(user.role), settings.jwt_secret, settings.token_ttl_minutes
                ),
                role=user.role,
                display_name=user.display_name,
            )
            if ok and user
            else None
        )
    if answer is None:
        runtime.limiter.fail(attempts, settings.login_lockout_minutes * 60)
        raise ApiError(401, "bad_credentials", "用户名或密码错误")
    runtime.limiter.forget(attempts)
    return answer
