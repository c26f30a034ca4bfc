"""Engine, sessions and schema creation for the records database.

SQLite is opened in WAL mode with a busy timeout so the action server and a
trainer's CLI can use the same file at once. Write transactions start with
``BEGIN IMMEDIATE`` on SQLite: taking the write lock up front means a
read-then-write transaction never fails half-way on a lock upgrade.
"""

from __future__ import annotations

import json
import threading
from contextlib import contextmanager
from typing import Any, Iterator

from sqlalchemy import create_engine, event, select
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool, StaticPool

from actions.records.models import SCHEMA_VERSION, Base, SchemaVersion, utc_now
from actions.records.settings import normalise_db_url, sqlite_file_path

SQLITE_BUSY_TIMEOUT_SECONDS = 15
_WRITE_OPTION = "records_write"


class SchemaVersionError(RuntimeError):
    """The database was written by a different version of this code."""


def _json_serializer(value: Any) -> str:
    # Keep Chinese readable in the database (and in ad-hoc SQL queries).
    return json.dumps(value, ensure_ascii=False)


def create_records_engine(db_url: str) -> Engine:
    url = make_url(normalise_db_url(db_url))
    if url.get_backend_name() == "sqlite":
        return _create_sqlite_engine(url)
    # Pre-ping so a restarted PostgreSQL server does not surface as an error.
    return create_engine(
        url,
        future=True,
        pool_pre_ping=True,
        json_serializer=_json_serializer,
    )


def _create_sqlite_engine(url: Any) -> Engine:
    db_file = sqlite_file_path(url)
    if db_file is not None:
        db_file.parent.mkdir(parents=True, exist_ok=True)
    # An in-memory database lives in one connection, so every session must share
    # it (StaticPool); such a database is for tests only.
    engine = create_engine(
        url,
        future=True,
        poolclass=QueuePool if db_file is not None else StaticPool,
        connect_args={
            "timeout": SQLITE_BUSY_TIMEOUT_SECONDS,
            "check_same_thread": False,
        },
        json_serializer=_json_serializer,
    )
    use_wal = db_file is not None

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" hook below emit BEGIN itself.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        if use_wal:
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_SECONDS * 1000}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        writing = connection.get_execution_options().get(_WRITE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN")

    return engine


class Database:
    """Thread-safe access to one records database; creates the tables on first use."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._read_sessions = sessionmaker(
            bind=engine, future=True, expire_on_commit=False
        )
        self._write_sessions = sessionmaker(
            bind=engine.execution_options(**{_WRITE_OPTION: True}),
            future=True,
            expire_on_commit=False,
        )
        self._schema_ready = False
        self._schema_lock = threading.Lock()

    @contextmanager
    def reading(self) -> Iterator[Session]:
        self.ensure_schema()
        with self._read_sessions() as session:
            yield session

    @contextmanager
    def writing(self) -> Iterator[Session]:
        """A session inside one transaction: committed on success, rolled back on error."""
        self.ensure_schema()
        with self._write_sessions.begin() as session:
            yield session

    def ensure_schema(self) -> None:
        if self._schema_ready:
            return
        with self._schema_lock:
            if self._schema_ready:
                return
            try:
                Base.metadata.create_all(self.engine)
            except (OperationalError, ProgrammingError):
                # Another process created the tables between our check and create.
                Base.metadata.create_all(self.engine)
            self._check_schema_version()
            self._schema_ready = True

    def _check_schema_version(self) -> None:
        try:
            self._record_or_compare_schema_version()
        except IntegrityError:
            # Another process stamped the version first; compare with theirs.
            self._record_or_compare_schema_version()

    def _record_or_compare_schema_version(self) -> None:
        with self._write_sessions.begin() as session:
            stored = session.execute(
                select(SchemaVersion.version).order_by(SchemaVersion.version.desc())
            ).scalar()
            if stored is None:
                session.add(SchemaVersion(version=SCHEMA_VERSION, applied_at=utc_now()))
                return
            if stored != SCHEMA_VERSION:
                raise SchemaVersionError(
                    f"记录数据库的结构版本是 {stored},本程序需要 {SCHEMA_VERSION}," "请先迁移数据库。"
                )

    def dispose(self) -> None:
        self.engine.dispose()
