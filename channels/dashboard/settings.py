"""Dashboard settings from environment variables, with safe embedded defaults.

Nothing is read or written at import time; ``DashboardSettings.from_sources``
does it when the channel is created.
"""

from __future__ import annotations

import logging
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Optional

logger = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SECRET_FILE = PROJECT_ROOT / "var" / "dashboard_secret"
WEB_DIST_DIR = PROJECT_ROOT / "web" / "dist"

SECRET_ENV = "DASHBOARD_SECRET"
SECRET_FILE_ENV = "DASHBOARD_SECRET_FILE"
COOKIE_SECURE_ENV = "DASHBOARD_COOKIE_SECURE"
SESSION_HOURS_ENV = "DASHBOARD_SESSION_HOURS"
FAILURE_DELAY_ENV = "DASHBOARD_FAILURE_DELAY"

# "auto": Secure when the request came over HTTPS (as Sanic sees it, proxies included).
COOKIE_SECURE_CHOICES = ("auto", "always", "never")
MIN_SECRET_CHARS = 32


@dataclass(frozen=True)
class LockoutPolicy:
    """After ``max_failures`` wrong passwords in a row the account is locked."""

    max_failures: int = 5
    lock_minutes: int = 15
    # Each failure waits base * 2^(failures-1) seconds, at most max_delay.
    base_delay: float = 0.5
    max_delay: float = 8.0

    def delay_after(self, failures: int) -> float:
        if failures <= 0 or self.base_delay <= 0:
            return 0.0
        return min(self.base_delay * 2 ** (failures - 1), self.max_delay)


@dataclass(frozen=True)
class DashboardSettings:
    secret: bytes
    cookie_secure: str = "auto"
    session_hours: float = 8.0
    lockout: LockoutPolicy = LockoutPolicy()
    dist_dir: Path = WEB_DIST_DIR

    @classmethod
    def from_sources(
        cls,
        credentials: Optional[Mapping[str, Any]] = None,
        environ: Optional[Mapping[str, str]] = None,
    ) -> "DashboardSettings":
        """credentials.yml values (if any) first, then DASHBOARD_* env vars."""
        env = os.environ if environ is None else environ
        given = dict(credentials or {})

        def pick(key: str, env_name: str, default: str) -> str:
            value = given.get(key)
            if value is None or str(value).strip() == "":
                value = env.get(env_name, "")
            return str(value).strip() or default

        cookie_secure = pick("cookie_secure", COOKIE_SECURE_ENV, "auto").lower()
        if cookie_secure not in COOKIE_SECURE_CHOICES:
            raise ValueError(
                f"{COOKIE_SECURE_ENV} 只能是 {'/'.join(COOKIE_SECURE_CHOICES)},"
                f"收到 {cookie_secure!r}"
            )
        session_hours = _positive_float(
            pick("session_hours", SESSION_HOURS_ENV, "8"), SESSION_HOURS_ENV
        )
        base_delay = _non_negative_float(
            pick("failure_delay", FAILURE_DELAY_ENV, "0.5"), FAILURE_DELAY_ENV
        )
        secret_file = Path(
            pick("secret_file", SECRET_FILE_ENV, str(DEFAULT_SECRET_FILE))
        )
        return cls(
            secret=load_secret(env.get(SECRET_ENV, ""), secret_file),
            cookie_secure=cookie_secure,
            session_hours=session_hours,
            lockout=LockoutPolicy(base_delay=base_delay),
        )


def load_secret(from_env: str, secret_file: Path) -> bytes:
    """DASHBOARD_SECRET if set, else the secret file, generated on first use (0600)."""
    if from_env.strip():
        value = from_env.strip()
        if len(value) < MIN_SECRET_CHARS:
            raise ValueError(f"{SECRET_ENV} 至少需要 {MIN_SECRET_CHARS} 个字符")
        return value.encode("utf-8")
    if not secret_file.is_file():
        _create_secret_file(secret_file)
    value = secret_file.read_text(encoding="utf-8").strip()
    if len(value) < MIN_SECRET_CHARS:
        raise ValueError(f"{secret_file} 里的密钥太短(至少 {MIN_SECRET_CHARS} 个字符)")
    return value.encode("utf-8")


def _create_secret_file(secret_file: Path) -> None:
    secret_file.parent.mkdir(parents=True, exist_ok=True)
    # 0600 from the start, and never overwrite one another process just wrote.
    try:
        descriptor = os.open(secret_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(secrets.token_urlsafe(48) + "\n")
    logger.info("已生成培训师后台签名密钥 %s", secret_file)


def _positive_float(text: str, name: str) -> float:
    value = _non_negative_float(text, name)
    if value <= 0:
        raise ValueError(f"{name} 必须大于 0")
    return value


def _non_negative_float(text: str, name: str) -> float:
    try:
        value = float(text)
    except ValueError as error:
        raise ValueError(f"{name} 必须是数字,收到 {text!r}") from error
    if value < 0 or value != value:
        raise ValueError(f"{name} 不能为负数")
    return value
