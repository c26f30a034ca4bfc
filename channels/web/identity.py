"""Who a browser trainee is: the staff number, bound to a token signed with a server secret.

The token is ``<staff number>.<HMAC-SHA256(secret, staff number)>``: any server holding
the same secret (all Rasa replicas) can check it without a session store. Changing the
secret logs every trainee out.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import secrets
from pathlib import Path
from typing import Mapping, Optional

SECRET_ENV = "WEB_SECRET"
PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SECRET_FILE = PROJECT_ROOT / "var" / "web_secret"

# Letters, digits, '-' and '_': safe in a URL, a room name and the token's own syntax.
_STAFF_NO = re.compile(r"^[A-Z0-9][A-Z0-9_-]{0,31}$")
MAX_NAME_LENGTH = 32
_TOKEN_PURPOSE = b"daogou-web-trainee:"


class InvalidIdentityError(ValueError):
    """A staff number or name the trainee has to correct (message in Chinese)."""


def normalise_staff_no(raw: object) -> str:
    """Staff numbers are case-insensitive: 'a001' and 'A001' are one trainee."""
    staff_no = str(raw or "").strip().upper()
    if not _STAFF_NO.match(staff_no):
        raise InvalidIdentityError("工号只能包含字母、数字、“-”和“_”,最长 32 位,请检查后重新输入。")
    return staff_no


def normalise_name(raw: object) -> str:
    name = " ".join(str(raw or "").split())
    if not name:
        raise InvalidIdentityError("请输入您的姓名。")
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidIdentityError(f"姓名最长 {MAX_NAME_LENGTH} 个字。")
    return name


def load_secret(
    environ: Optional[Mapping[str, str]] = None, path: Path = DEFAULT_SECRET_FILE
) -> bytes:
    """WEB_SECRET from the environment, else one generated once and kept in var/."""
    env = os.environ if environ is None else environ
    configured = env.get(SECRET_ENV, "").strip()
    if configured:
        return configured.encode("utf-8")
    try:
        return path.read_text(encoding="utf-8").strip().encode("utf-8")
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    generated = secrets.token_urlsafe(32)
    try:
        # O_EXCL: when two servers start together, the first one's secret wins.
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="utf-8").strip().encode("utf-8")
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(generated + "\n")
    return generated.encode("utf-8")


def _mac(staff_no: str, secret: bytes) -> str:
    digest = hmac.new(
        secret, _TOKEN_PURPOSE + staff_no.encode("utf-8"), hashlib.sha256
    ).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def issue_token(staff_no: str, secret: bytes) -> str:
    staff_no = normalise_staff_no(staff_no)
    return f"{staff_no}.{_mac(staff_no, secret)}"


def verify_token(token: object, secret: bytes) -> Optional[str]:
    """The staff number the token was issued for, or None when it is not genuine."""
    if not isinstance(token, str) or token.count(".") != 1:
        return None
    staff_no, mac = token.split(".")
    try:
        staff_no = normalise_staff_no(staff_no)
    except InvalidIdentityError:
        return None
    if not hmac.compare_digest(mac, _mac(staff_no, secret)):
        return None
    return staff_no


def bearer_token(authorization: Optional[str]) -> Optional[str]:
    """The token of an ``Authorization: Bearer <token>`` header."""
    if not authorization:
        return None
    scheme, _, value = authorization.strip().partition(" ")
    return value.strip() or None if scheme.lower() == "bearer" else None
