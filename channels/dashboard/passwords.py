"""Password hashing with the standard library's scrypt, a salt per password.

Stored form: ``scrypt$<n>$<r>$<p>$<salt b64>$<hash b64>``, so the cost can be
raised later without breaking stored hashes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

SCHEME = "scrypt"
# n=2^15, r=8: 32 MiB and roughly 0.1 s per check, the cost OWASP suggests.
COST_N = 2**15
BLOCK_SIZE_R = 8
PARALLEL_P = 1
SALT_BYTES = 16
KEY_BYTES = 32
MAX_MEMORY = 64 * 1024 * 1024

MIN_PASSWORD_CHARS = 8
MAX_PASSWORD_CHARS = 256


class PasswordPolicyError(ValueError):
    """The new password is too weak or too long."""


def check_policy(password: str, username: str = "") -> None:
    if len(password) < MIN_PASSWORD_CHARS:
        raise PasswordPolicyError(f"密码至少需要 {MIN_PASSWORD_CHARS} 个字符")
    if len(password) > MAX_PASSWORD_CHARS:
        raise PasswordPolicyError(f"密码不能超过 {MAX_PASSWORD_CHARS} 个字符")
    if len(set(password)) < 3:
        raise PasswordPolicyError("密码太简单,请混用不同的字母、数字或符号")
    if username and password.casefold() == username.casefold():
        raise PasswordPolicyError("密码不能与用户名相同")


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(SALT_BYTES)
    digest = _scrypt(password, salt, COST_N, BLOCK_SIZE_R, PARALLEL_P, KEY_BYTES)
    return "$".join(
        [
            SCHEME,
            str(COST_N),
            str(BLOCK_SIZE_R),
            str(PARALLEL_P),
            _b64(salt),
            _b64(digest),
        ]
    )


def verify_password(password: str, stored: str) -> bool:
    """True when the password matches; a malformed stored hash never matches."""
    try:
        scheme, n, r, p, salt, expected = stored.split("$")
        if scheme != SCHEME:
            return False
        expected_bytes = _unb64(expected)
        digest = _scrypt(
            password, _unb64(salt), int(n), int(r), int(p), len(expected_bytes)
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(digest, expected_bytes)


def dummy_verify(password: str) -> None:
    """Spend the same time as a real check (unknown user names look like known ones)."""
    zero_salt, zero_key = _b64(b"\0" * SALT_BYTES), _b64(b"\0" * KEY_BYTES)
    dummy = "$".join(
        [SCHEME, str(COST_N), str(BLOCK_SIZE_R), str(PARALLEL_P), zero_salt, zero_key]
    )
    verify_password(password, dummy)


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int, length: int) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8"),
        salt=salt,
        n=n,
        r=r,
        p=p,
        maxmem=MAX_MEMORY,
        dklen=length,
    )


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)
