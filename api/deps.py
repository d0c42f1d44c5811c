"""Request dependencies: the runtime, the request's database session, rate limiting of resident endpoints,
staff authentication."""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from dataclasses import dataclass
from ipaddress import ip_address
from typing import Annotated
from urllib.parse import unquote

from fastapi import Depends, Path, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.db import transaction
from api.errors import ApiError
from api.models import StaffUser
from api.runtime import Runtime
from api.security import Role, read_token


def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


def get_session(runtime: RuntimeDep) -> Iterator[Session]:
    """The route's unit of work: committed when the route returns, rolled back when it raises (an ApiError
    too, which then still answers with its own status and message)."""
    with transaction(runtime.sessions) as session:
        yield session


# scope="function": the commit happens when the route returns, before the response is sent, so a client
# that reads what it just filed (the next request) always finds it. The default scope would commit only
# after the response has gone out.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


# The action server names the resident a call is made for; the gateway believes it only with the service token.
RESIDENT_HEADER = "x-resident-sender"


def named_resident(request: Request) -> str | None:
    """The sender in X-Resident-Sender, as it was before actions/case_api.py percent-encoded it for the header
    (`wx:<openid>` travels as `wx%3A<openid>`)."""
    value = request.headers.get(RESIDENT_HEADER)
    return unquote(value) if value else None


def _trusted_hop(hop: str, runtime: Runtime) -> bool:
    try:
        address = ip_address(hop)
    except ValueError:
        return False
    return any(address in network for network in runtime.settings.trusted_networks)


def client_ip(request: Request, runtime: Runtime) -> str:
    """The right-most address no trusted proxy holds: the left of X-Forwarded-For is whatever the client
    wrote, only the hops appended by our own proxies can be believed."""
    peer = request.client.host if request.client else "unknown"
    forwarded = [hop.strip() for value in request.headers.getlist("x-forwarded-for") for hop in value.split(",")]
    chain = [hop for hop in forwarded if hop] + [peer]
    for hop in reversed(chain):
        if not _trusted_hop(hop, runtime):
            return hop
    return chain[0]  # every hop is one of our proxies: the request began inside


def is_service_call(request: Request, runtime: Runtime) -> bool:
    token = request.headers.get("x-service-token", "")
    # Bytes: compare_digest refuses non-ASCII text, and a header may carry any.
    return bool(token) and hmac.compare_digest(token.encode(), runtime.settings.service_token.encode())


def limit_resident(request: Request, runtime: RuntimeDep) -> None:
    """Resident endpoints are open to anyone: cap each client address per minute. The action server calls
    from one address for every resident: its calls are capped per resident it names, and its own reads
    (catalogue, consultations), naming none, are not capped."""
    if is_service_call(request, runtime):
        resident = named_resident(request)
        if not resident:
            return
        key = f"resident:{resident}"
    else:
        key = f"ip:{client_ip(request, runtime)}"
    if not runtime.limiter.allow(key):
        raise ApiError(429, "rate_limited", "您的操作太频繁了，请稍等一分钟再试。")


ResidentLimit = Depends(limit_resident)


@dataclass(frozen=True)
class Staff:
    username: str
    role: Role
    display_name: str
    department: str | None = None


_bearer = HTTPBearer(auto_error=False)


def current_staff(
    runtime: RuntimeDep, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Staff:
    if credentials is None:
        raise ApiError(401, "not_authenticated", "请先登录")
    claims = read_token(credentials.credentials, runtime.settings.jwt_secret)
    if claims is None:
        raise ApiError(401, "invalid_token", "登录已失效，请重新登录")
    username, _ = claims
    with transaction(runtime.sessions) as session:
        user = session.scalars(select(StaffUser).where(StaffUser.username == username)).first()
        if user is None or not user.active:
            raise ApiError(401, "invalid_token", "账号不存在或已停用")
        # The role is read from the database, not the token, so a demotion takes effect at once.
        return Staff(user.username, Role(user.role), user.display_name, user.department)


def require(role: Role) -> object:
    def check(staff: Annotated[Staff, Depends(current_staff)]) -> Staff:
        if not staff.role.allows(role):
            raise ApiError(403, "forbidden", "您的账号没有此操作的权限")
        return staff

    return Depends(check)


# A row's id in a path: PostgreSQL's `integer` keys, so a larger number is a 422, not a database error.
RowId = Annotated[int, Path(ge=1, le=2**31 - 1)]
# How many rows a page skips: bounded too (a larger number would not fit a database integer and answered 500).
Offset = Annotated[int, Query(ge=0, le=1_000_000)]

AgentDep = Annotated[Staff, require(Role.AGENT)]
SupervisorDep = Annotated[Staff, require(Role.SUPERVISOR)]
AdminDep = Annotated[Staff, require(Role.ADMIN)]


def require_service_token(request: Request, runtime: RuntimeDep) -> None:
    """Internal endpoints used by the action server carry the shared service token."""
    if not is_service_call(request, runtime):
        raise ApiError(401, "invalid_service_token", "无权调用该接口")


ServiceTokenDep = Depends(require_service_token)
