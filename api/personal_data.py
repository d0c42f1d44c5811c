"""At-rest encryption of residents' personal data; the validation rules and masks are in
contract/personal_data.py, shared with the action server."""

from __future__ import annotations

import base64
import hashlib
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken


@lru_cache(maxsize=4)
def _fernet(key: str) -> Fernet:
    # Any configured string works as a key: it is stretched to the 32 bytes Fernet expects.
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(key.encode()).digest()))


def encrypt(value: str, key: str) -> str:
    return _fernet(key).encrypt(value.encode()).decode()


def decrypt(token: str, key: str) -> str:
    try:
        return _fernet(key).decrypt(token.encode()).decode()
    except InvalidToken:
        raise RuntimeError("personal data cannot be decrypted: PII_KEY differs from the one used to store it") from None
