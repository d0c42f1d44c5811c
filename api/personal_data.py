"""At-rest encryption of residents' personal data; the validation rules and masks are in
contract/personal_data.py, shared with the action server."""

from __future__ import annotations

import base64
import hashlib
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet


@lru_cache(maxsize=4)
def _fernet(*keys: str) -> MultiFernet:
    # Any configured string works as a key: it is stretched to the 32 bytes Fernet expects. MultiFernet
    # writes with the first key and reads with any, so a rotated key keeps old data readable.
    return MultiFernet([Fernet(base64.urlsafe_b64encode(hashlib.sha256(key.encode()).digest())) for key in keys])


def encrypt(value: str, key: str, *previous_keys: str) -> str:
    return _fernet(key, *previous_keys).encrypt(value.encode()).decode()


def decrypt(token: str, key: str, *previous_keys: str) -> str:
    """`previous_keys`: the keys `key` replaced (PII_PREVIOUS_KEYS), for data stored before the rotation."""
    try:
        return _fernet(key, *previous_keys).decrypt(token.encode()).decode()
    except InvalidToken:
        raise RuntimeError(
            "personal data cannot be decrypted: neither PII_KEY nor PII_PREVIOUS_KEYS is the key used to store it"
        ) from None
