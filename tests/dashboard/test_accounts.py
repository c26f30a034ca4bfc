"""Trainer accounts: creation, lockout after repeated failures, sessions."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from channels.dashboard.accounts import (
    AccountError,
    AccountStore,
    TrainerAccount,
    TrainerSession,
    token_hash,
)
from channels.dashboard.passwords import PasswordPolicyError
from channels.dashboard.settings import LockoutPolicy
from tests.dashboard.conftest import PASSWORD, TRAINER

HOUR = timedelta(hours=1)


def test_right_password_logs_in_and_is_stored_hashed(accounts, records):
    assert accounts.authenticate(TRAINER.upper(), PASSWORD).username == TRAINER
    with records.database.reading() as session:
        stored = session.execute(select(TrainerAccount.password_hash)).scalar_one()
    assert PASSWORD not in stored and stored.startswith("scrypt$")


@pytest.mark.parametrize(
    "username, password",
    [(TRAINER, "wrong-password"), ("nobody", PASSWORD), ("", PASSWORD), ("a b", "x")],
)
def test_wrong_name_or_password_is_refused(accounts, username, password):
    assert not accounts.authenticate(username, password).ok


def test_duplicate_and_invalid_usernames_are_refused(accounts):
    with pytest.raises(AccountError, match="已存在"):
        accounts.create_trainer(TRAINER.upper(), "another-pass-1")
    with pytest.raises(AccountError, match="用户名"):
        accounts.create_trainer("<script>", "another-pass-1")
    with pytest.raises(PasswordPolicyError):
        accounts.create_trainer("new_trainer", "short")


def test_five_failures_lock_the_account_for_fifteen_minutes(accounts, clock):
    outcomes = [accounts.authenticate(TRAINER, f"guess-{n}") for n in range(5)]
    assert [o.failures for o in outcomes] == [1, 2, 3, 4, 5]
    assert outcomes[3].locked_until is None
    assert outcomes[4].locked_until == clock() + timedelta(minutes=15)
    # Locked: even the right password is refused, and looks like a failure.
    locked = accounts.authenticate(TRAINER, PASSWORD)
    assert not locked.ok and locked.locked_until is not None
    clock.advance(minutes=14, seconds=59)
    assert not accounts.authenticate(TRAINER, PASSWORD).ok
    clock.advance(seconds=2)
    assert accounts.authenticate(TRAINER, PASSWORD).ok
    # A success resets the count: four new failures do not lock again.
    for n in range(4):
        accounts.authenticate(TRAINER, f"again-{n}")
    assert accounts.authenticate(TRAINER, PASSWORD).ok


def test_a_failure_right_after_a_lock_expires_locks_again(accounts, clock):
    for n in range(5):
        accounts.authenticate(TRAINER, f"guess-{n}")
    clock.advance(minutes=16)
    relocked = accounts.authenticate(TRAINER, "one-more-guess")
    assert relocked.locked_until == clock() + timedelta(minutes=15)
    assert not accounts.authenticate(TRAINER, PASSWORD).ok


def test_lockout_is_per_account(accounts):
    accounts.create_trainer("trainer_qian", "qian-password-9")
    for n in range(5):
        accounts.authenticate(TRAINER, f"guess-{n}")
    assert accounts.authenticate("trainer_qian", "qian-password-9").ok


def test_unlock_and_new_password_clear_the_lock(accounts):
    for n in range(5):
        accounts.authenticate(TRAINER, f"guess-{n}")
    accounts.unlock(TRAINER)
    assert accounts.authenticate(TRAINER, PASSWORD).ok
    for n in range(5):
        accounts.authenticate(TRAINER, f"guess-{n}")
    accounts.set_password(TRAINER, "brand-new-pass-7")
    assert accounts.authenticate(TRAINER, "brand-new-pass-7").ok
    assert not accounts.authenticate(TRAINER, PASSWORD).ok


def test_session_tokens_are_stored_hashed_and_expire(accounts, records, clock):
    token, expires_at = accounts.start_session(TRAINER, 8 * HOUR)
    assert expires_at == clock() + 8 * HOUR
    with records.database.reading() as session:
        stored = session.execute(select(TrainerSession.token_hash)).scalar_one()
    assert stored == token_hash(token) and token not in stored
    assert accounts.session_identity(token).username == TRAINER
    assert accounts.session_identity(token + "x") is None
    clock.advance(hours=8)
    assert accounts.session_identity(token) is None


def test_logout_and_password_change_end_sessions(accounts):
    first, _ = accounts.start_session(TRAINER, HOUR)
    second, _ = accounts.start_session(TRAINER, HOUR)
    accounts.end_session(first)
    assert accounts.session_identity(first) is None
    assert accounts.session_identity(second) is not None
    accounts.set_password(TRAINER, "brand-new-pass-7")
    assert accounts.session_identity(second) is None


def test_tables_live_beside_the_records_and_are_created_on_first_use(
    records, policy, clock
):
    fresh = AccountStore(records, policy, clock=clock)
    assert fresh.list_trainers() == []
    fresh.create_trainer("trainer_sun", "sun-password-1")
    (info,) = fresh.list_trainers()
    assert info.username == "trainer_sun" and info.last_login_at is None
    tables = set(
        records.database.engine.dialect.get_table_names(
            records.database.engine.connect()
        )
    )
    assert {"dashboard_trainers", "dashboard_sessions", "attempts"} <= tables


def test_expired_sessions_can_be_purged(accounts, clock):
    accounts.start_session(TRAINER, HOUR)
    live, _ = accounts.start_session(TRAINER, 3 * HOUR)
    clock.advance(hours=2)
    assert accounts.purge_expired_sessions() == 1
    assert accounts.session_identity(live) is not None


def test_policy_is_configurable(records, clock):
    strict = AccountStore(records, LockoutPolicy(max_failures=2, lock_minutes=1), clock)
    strict.create_trainer("trainer_li", "li-password-22")
    strict.authenticate("trainer_li", "nope-1")
    assert strict.authenticate("trainer_li", "nope-2").locked_until is not None
    clock.advance(minutes=1, seconds=1)
    assert strict.authenticate("trainer_li", "li-password-22").ok
