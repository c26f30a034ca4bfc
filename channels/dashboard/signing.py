"""HMAC signatures for the session cookie and the CSRF tokens.

Every signature names its purpose, so a value signed for one use (say a login
form's CSRF token) is never accepted as another (a session).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Optional

SESSION_PURPOSE = "dashboard-session"
CSRF_PURPOSE = "dashboard-csrf"
LOGIN_CSRF_PURPOSE = "dashboard-login-csrf"


class Signer:
    def __init__(self, secret: bytes) -> None:
        if len(secret) < 32:
            raise ValueError("签名密钥太短")
        self._secret = secret

    def signature(self, purpose: str, value: str) -> str:
        message = f"{purpose}\n{value}".encode("utf-8")
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()

    def sign(self, purpose: str, value: str) -> str:
        return f"{value}.{self.signature(purpose, value)}"

    def unsign(self, purpose: str, signed: Optional[str]) -> Optional[str]:
        """The value of a signed string, or None when the signature is wrong."""
        if not signed or "." not in signed or len(signed) > 512:
            return None
        value, _, signature = signed.rpartition(".")
        if not value:
            return None
        expected = self.signature(purpose, value)
        if not hmac.compare_digest(expected.encode(), signature.encode()):
            return None
        return value

    # -- the session cookie ----------------------------------------------------

    def session_cookie(self, token: str) -> str:
        return self.sign(SESSION_PURPOSE, token)

    def session_token(self, cookie: Optional[str]) -> Optional[str]:
        return self.unsign(SESSION_PURPOSE, cookie)

    # -- CSRF ------------------------------------------------------------------

    def csrf_token(self, session_token_hash: str) -> str:
        """Bound to the session: no other session's page can supply it."""
        return self.signature(CSRF_PURPOSE, session_token_hash)

    def csrf_ok(self, session_token_hash: str, submitted: Optional[str]) -> bool:
        if not submitted:
            return False
        expected = self.csrf_token(session_token_hash)
        return hmac.compare_digest(expected.encode(), submitted.encode())

    def new_login_csrf(self) -> str:
        """Signed double-submit token for the login form (there is no session yet)."""
        return self.sign(LOGIN_CSRF_PURPOSE, secrets.token_urlsafe(18))

    def login_csrf_ok(self, cookie: Optional[str], submitted: Optional[str]) -> bool:
        if not cookie or not submitted:
            return False
        if not hmac.compare_digest(cookie.encode(), submitted.encode()):
            return False
        return self.unsign(LOGIN_CSRF_PURPOSE, cookie) is not None
