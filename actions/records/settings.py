"""Where the training records live: a SQLite file by default, PostgreSQL by URL.

Nothing here touches the disk or the network at import time; the action server
imports every module of ``actions/`` when it starts.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SQLITE_PATH = PROJECT_ROOT / "var" / "records.db"

DB_URL_ENV = "RECORDS_DB_URL"
TIMEZONE_ENV = "RECORDS_TIMEZONE"
# The store chain is in China; trainers read due dates and times in local time.
DEFAULT_TIMEZONE = "Asia/Shanghai"

SUPPORTED_BACKENDS = ("sqlite", "postgresql")


@dataclass(frozen=True)
class RecordsSettings:
    db_url: str
    timezone: str = DEFAULT_TIMEZONE

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def default_db_url() -> str:
    return f"sqlite:///{DEFAULT_SQLITE_PATH}"


def normalise_db_url(raw_url: str) -> str:
    """Check the URL names a supported backend and return it in SQLAlchemy's form.

    ``postgres://`` (the Heroku/libpq spelling) is accepted and rewritten, because
    SQLAlchemy 1.4 refuses it.
    """
    candidate = raw_url.strip()
    if candidate.startswith("postgres://"):
        candidate = "postgresql://" + candidate[len("postgres://") :]
    try:
        url = make_url(candidate)
    except ArgumentError as error:
        raise ValueError(f"{DB_URL_ENV} 不是有效的数据库地址:{raw_url!r}") from error
    if url.get_backend_name() not in SUPPORTED_BACKENDS:
        raise ValueError(
            f"{DB_URL_ENV} 只支持 SQLite 或 PostgreSQL,收到的是 {url.drivername!r}"
        )
    return url.render_as_string(hide_password=False)


def sqlite_file_path(url: str | URL) -> Path | None:
    """The database file of a SQLite URL, or None for PostgreSQL / in-memory."""
    parsed = make_url(url) if isinstance(url, str) else url
    if parsed.get_backend_name() != "sqlite":
        return None
    database = parsed.database or ""
    if database in ("", ":memory:") or database.startswith("file:"):
        return None
    return Path(database)


def load_settings(environ: Mapping[str, str] | None = None) -> RecordsSettings:
    env = os.environ if environ is None else environ
    raw_url = env.get(DB_URL_ENV, "").strip() or default_db_url()
    timezone = env.get(TIMEZONE_ENV, "").strip() or DEFAULT_TIMEZONE
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError(f"{TIMEZONE_ENV} 不是有效的时区:{timezone!r}") from error
    return RecordsSettings(db_url=normalise_db_url(raw_url), timezone=timezone)
