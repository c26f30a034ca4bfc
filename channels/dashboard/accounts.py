"""Trainer accounts and their login sessions, stored in the records database.

The tables have their own declarative base (not the records schema's) and are
created on first use. Session tokens are stored only as SHA-256 hashes, so a
copy of the database does not let anyone in.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable, Optional

from sqlalchemy import Boolean, Column, ForeignKey, Integer, String, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, declarative_base

from actions.records import Records
from actions.records.models import UtcDateTime, utc_now
from channels.dashboard.passwords import (
    check_policy,
    dummy_verify,
    hash_password,
    verify_password,
)
from channels.dashboard.settings import LockoutPolicy

AccountsBase = declarative_base()

# Letters (Chinese too), digits, dot, dash and underscore; 2–32 characters.
_USERNAME = re.compile(r"^[\w.\-]{2,32}$")


class TrainerAccount(AccountsBase):
    __tablename__ = "dashboard_trainers"

    id: Mapped[int] = Column(Integer, primary_key=True)
    username: Mapped[str] = Column(String(64), nullable=False, unique=True)
    password_hash: Mapped[str] = Column(String(255), nullable=False)
    created_at: Mapped[datetime] = Column(UtcDateTime, nullable=False)
    password_changed_at: Mapped[datetime] = Column(UtcDateTime, nullable=False)
    # Wrong passwords in a row; reset by a successful login or a new password.
    failed_logins: Mapped[int] = Column(Integer, nullable=False, default=0)
    locked_until: Mapped[Optional[datetime]] = Column(UtcDateTime)
    last_login_at: Mapped[Optional[datetime]] = Column(UtcDateTime)
    disabled: Mapped[bool] = Column(Boolean, nullable=False, default=False)


class TrainerSession(AccountsBase):
    __tablename__ = "dashboard_sessions"

    token_hash: Mapped[str] = Column(String(64), primary_key=True)
    trainer_id: Mapped[int] = Column(
        Integer, ForeignKey("dashboard_trainers.id"), nullable=False, index=True
    )
    created_at: Mapped[datetime] = Column(UtcDateTime, nullable=False)
    expires_at: Mapped[datetime] = Column(UtcDateTime, nullable=False)
    revoked_at: Mapped[Optional[datetime]] = Column(UtcDateTime)


class AccountError(ValueError):
    """A trainer account command that cannot be carried out."""


@dataclass(frozen=True)
class TrainerInfo:
    username: str
    created_at: datetime
    last_login_at: Optional[datetime]
    locked_until: Optional[datetime]
    failed_logins: int
    disabled: bool


@dataclass(frozen=True)
class LoginOutcome:
    username: Optional[str]  # set only on success
    failures: int = 0  # wrong passwords in a row, after this attempt
    locked_until: Optional[datetime] = None

    @property
    def ok(self) -> bool:
        return self.username is not None


@dataclass(frozen=True)
class SessionIdentity:
    username: str
    token_hash: str
    expires_at: datetime


def normalise_username(raw: str) -> str:
    username = (raw or "").strip().lower()
    if not _USERNAME.match(username):
        raise AccountError("用户名需 2–32 个字符,只能用字母、汉字、数字和 . _ -")
    return username


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class AccountStore:
    """Trainer accounts on top of a Records database (same engine, own tables)."""

    def __init__(
        self,
        records: Records,
        policy: Optional[LockoutPolicy] = None,
        clock: Optional[Callable[[], datetime]] = None,
    ) -> None:
        self.records = records
        self.policy = policy or LockoutPolicy()
        self._clock = clock or utc_now
        self._tables_ready = False
        self._lock = threading.Lock()

    def now(self) -> datetime:
        return self._clock()

    def _ensure_tables(self) -> None:
        if self._tables_ready:
            return
        with self._lock:
            if not self._tables_ready:
                AccountsBase.metadata.create_all(self.records.database.engine)
                self._tables_ready = True

    def _reading(self):
        self._ensure_tables()
        return self.records.database.reading()

    def _writing(self):
        self._ensure_tables()
        return self.records.database.writing()

    # -- account administration (the command line) --------------------------

    def create_trainer(self, username: str, password: str) -> str:
        username = normalise_username(username)
        check_policy(password, username)
        now = self.now()
        try:
            with self._writing() as session:
                if _account(session, username) is not None:
                    raise AccountError(f"培训师账号 {username} 已存在")
                session.add(
                    TrainerAccount(
                        username=username,
                        password_hash=hash_password(password),
                        created_at=now,
                        password_changed_at=now,
                        failed_logins=0,
                        disabled=False,
                    )
                )
        except IntegrityError as error:
            raise AccountError(f"培训师账号 {username} 已存在") from error
        return username

    def set_password(self, username: str, password: str) -> None:
        """New password; clears the lockout and ends every open session."""
        username = normalise_username(username)
        check_policy(password, username)
        new_hash = hash_password(password)
        with self._writing() as session:
            account = _existing(session, username)
            now = self.now()
            account.password_hash = new_hash
            account.password_changed_at = now
            account.failed_logins = 0
            account.locked_until = None
            _revoke_sessions(session, account.id, now)

    def unlock(self, username: str) -> None:
        with self._writing() as session:
            account = _existing(session, normalise_username(username))
            account.failed_logins = 0
            account.locked_until = None

    def list_trainers(self) -> list[TrainerInfo]:
        with self._reading() as session:
            accounts = session.execute(
                select(TrainerAccount).order_by(TrainerAccount.username)
            ).scalars()
            return [
                TrainerInfo(
                    username=a.username,
                    created_at=a.created_at,
                    last_login_at=a.last_login_at,
                    locked_until=a.locked_until,
                    failed_logins=a.failed_logins,
                    disabled=a.disabled,
                )
                for a in accounts
            ]

    # -- login ----------------------------------------------------------------

    def authenticate(self, username: str, password: str) -> LoginOutcome:
        """Check a login; counts failures and locks the account after too many.

        Blocking (scrypt takes ~0.1 s): call it from a worker thread.
        """
        try:
            username = normalise_username(username)
        except AccountError:
            dummy_verify(password)
            return LoginOutcome(None)
        with self._reading() as session:
            account = _account(session, username)
            stored_hash = None if account is None else account.password_hash
            locked_until = None if account is None else account.locked_until
            disabled = account is not None and account.disabled
        if stored_hash is None or disabled:
            dummy_verify(password)
            return LoginOutcome(None)
        if locked_until is not None and locked_until > self.now():
            # No password check while locked: a right guess must not be told apart.
            return LoginOutcome(None, self.policy.max_failures, locked_until)
        matches = verify_password(password, stored_hash)
        return self._record_login(username, matches)

    def _record_login(self, username: str, matches: bool) -> LoginOutcome:
        with self._writing() as session:
            account = _existing(session, username, for_update=True)
            now = self.now()
            # Locked meanwhile by concurrent failures: refuse even a right password.
            locked = account.locked_until is not None and account.locked_until > now
            if matches and not locked:
                account.failed_logins = 0
                account.locked_until = None
                account.last_login_at = now
                return LoginOutcome(account.username)
            if locked:
                return LoginOutcome(None, account.failed_logins, account.locked_until)
            account.failed_logins += 1
            if account.failed_logins >= self.policy.max_failures:
                account.locked_until = now + timedelta(minutes=self.policy.lock_minutes)
            return LoginOutcome(None, account.failed_logins, account.locked_until)

    # -- sessions ---------------------------------------------------------------

    def start_session(self, username: str, lifetime: timedelta) -> tuple[str, datetime]:
        """A new random session token (returned once, stored hashed) and its expiry."""
        token = secrets.token_urlsafe(32)
        with self._writing() as session:
            account = _existing(session, normalise_username(username))
            now = self.now()
            expires_at = now + lifetime
            session.add(
                TrainerSession(
                    token_hash=token_hash(token),
                    trainer_id=account.id,
                    created_at=now,
                    expires_at=expires_at,
                )
            )
        return token, expires_at

    def session_identity(self, token: str) -> Optional[SessionIdentity]:
        """The trainer a live session token belongs to, else None."""
        hashed = token_hash(token)
        with self._reading() as session:
            found = session.execute(
                select(TrainerSession, TrainerAccount)
                .join(TrainerAccount, TrainerAccount.id == TrainerSession.trainer_id)
                .where(TrainerSession.token_hash == hashed)
            ).first()
        if found is None:
            return None
        stored, account = found
        now = self.now()
        if (
            stored.revoked_at is not None
            or stored.expires_at <= now
            or account.disabled
            or stored.created_at < account.password_changed_at
        ):
            return None
        return SessionIdentity(account.username, hashed, stored.expires_at)

    def end_session(self, token: str) -> None:
        with self._writing() as session:
            stored = session.get(TrainerSession, token_hash(token))
            if stored is not None and stored.revoked_at is None:
                stored.revoked_at = self.now()

    def purge_expired_sessions(self) -> int:
        with self._writing() as session:
            expired = session.execute(
                select(TrainerSession).where(TrainerSession.expires_at <= self.now())
            ).scalars()
            count = 0
            for stored in list(expired):
                session.delete(stored)
                count += 1
            return count


def _account(
    session: Session, username: str, for_update: bool = False
) -> Optional[TrainerAccount]:
    query = select(TrainerAccount).where(TrainerAccount.username == username)
    if for_update:
        query = query.with_for_update()
    return session.execute(query).scalar_one_or_none()


def _existing(
    session: Session, username: str, for_update: bool = False
) -> TrainerAccount:
    account = _account(session, username, for_update)
    if account is None:
        raise AccountError(f"没有培训师账号 {username}")
    return account


def _revoke_sessions(session: Session, trainer_id: int, now: datetime) -> None:
    session.execute(
        update(TrainerSession)
        .where(
            TrainerSession.trainer_id == trainer_id,
            TrainerSession.revoked_at.is_(None),
        )
        .values(revoked_at=now)
    )
