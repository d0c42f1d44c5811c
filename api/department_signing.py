"""Signatures between the gateway and department systems (docs/departments.md "Signatures").

The gateway signs what it sends a department (a webhook's body, a lookup's request target) with the
department's signing secret: `X-Luan-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>." + payload)>`,
with the Unix time in `X-Luan-Timestamp`. The timestamp inside the signed text makes a captured request useless
once it is older than the receiver's tolerance; the stand-in department service verifies with `verify`.
"""

from __future__ import annotations

import hashlib
import hmac
import time

TIMESTAMP_HEADER = "X-Luan-Timestamp"
SIGNATURE_HEADER = "X-Luan-Signature"
# How old a signed request may be when it arrives (clocks of the two sides may differ a little).
TOLERANCE_SECONDS = 300


def signature(secret: str, timestamp: int, payload: bytes) -> str:
    digest = hmac.new(secret.encode(), str(timestamp).encode() + b"." + payload, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def signed_headers(secret: str, payload: bytes, now: float | None = None) -> dict[str, str]:
    timestamp = int(now if now is not None else time.time())
    return {TIMESTAMP_HEADER: str(timestamp), SIGNATURE_HEADER: signature(secret, timestamp, payload)}


def verify(secret: str, timestamp: str | None, given: str | None, payload: bytes, now: float | None = None) -> bool:
    """Whether `given` signs `payload` at `timestamp` with `secret`, and the timestamp is recent."""
    if not timestamp or not given or not timestamp.isdigit():
        return False
    if abs((now if now is not None else time.time()) - int(timestamp)) > TOLERANCE_SECONDS:
        return False
    # Bytes: compare_digest refuses non-ASCII text, and a header may carry any.
    return hmac.compare_digest(given.encode(), signature(secret, int(timestamp), payload).encode())
