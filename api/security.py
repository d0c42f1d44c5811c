"""Staff passwords (argon2) and access tokens (signed JWT), and the role order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from enum import StrEnum
from functools import lru_cache

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerifyMismatchError

_hasher = PasswordHasher()


class Role(StrEnum):
    AGENT = "agent"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"
    # 网格员: works their grids' community incidents on /grid, outside the 12345 hierarchy (no console powers).
    GRID_OFFICER = "grid_officer"

    @property
    def rank(self) -> int:
        return _HIERARCHY.index(self) if self in _HIERARCHY else -1

    def allows(self, needed: Role) -> bool:
        if Role.GRID_OFFICER in (self, needed):
            return self is needed
        return self.rank >= needed.rank


# The 12345 roles, each allowed what the ones before it are.
_HIERARCHY = (Role.AGENT, Role.SUPERVISOR, Role.ADMIN)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, InvalidHashError):
        return False


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return _hasher.hash("no-such-user")


def spend_a_password_check(password: str) -> None:
    """The work of verify_password for a username that does not exist (or is inactive): a login answers in
    the same time either way, so timing does not tell which usernames exist."""
    verify_password(_dummy_hash(), password)


def issue_token(username: str, role: Role, secret: str, ttl_minutes: int) -> str:
    now = datetime.now(UTC)
    claims = {"sub": username, "role": role.value, "iat": now, "exp": now + timedelta(minutes=ttl_minutes)}
    return jwt.encode(claims, secret, algorithm="HS256")


def read_token(token: str, secret: str) -> tuple[str, Role] | None:
    try:
        claims = jwt.decode(token, secret, algorithms=["HS256"], options={"require": ["sub", "role", "exp"]})
        return str(claims["sub"]), Role(claims["role"])
    except (jwt.PyJWTError, ValueError):
        return None
