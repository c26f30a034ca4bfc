"""Password hashing: scrypt with a salt per password, constant-time check."""

import pytest

from channels.dashboard import passwords
from channels.dashboard.passwords import (
    PasswordPolicyError,
    check_policy,
    hash_password,
    verify_password,
)
from tests.dashboard.conftest import PRODUCTION_COST_N


def test_hash_verifies_only_the_same_password():
    stored = hash_password("柜台-PASS-2026")
    assert verify_password("柜台-PASS-2026", stored)
    assert not verify_password("柜台-pass-2026", stored)
    assert not verify_password("", stored)


def test_each_hash_has_its_own_salt_and_hides_the_password():
    first, second = hash_password("same-password"), hash_password("same-password")
    assert first != second
    assert "same-password" not in first
    scheme, n, r, p, salt, digest = first.split("$")
    assert scheme == "scrypt" and int(n) == passwords.COST_N and int(r) == 8
    assert salt != second.split("$")[4]


def test_production_cost_is_strong():
    # The tests run with a cheaper cost (conftest); what ships is at least 2^15.
    assert PRODUCTION_COST_N >= 2**15


@pytest.mark.parametrize(
    "stored",
    ["", "plain-text", "md5$abc", "scrypt$16384$8$1$!!!$abc", "scrypt$x$8$1$AA==$AA=="],
)
def test_a_malformed_stored_hash_never_matches(stored):
    assert not verify_password("anything", stored)


def test_the_stored_cost_is_used_when_checking():
    # A hash made with other parameters (e.g. before the cost was raised) still checks.
    salt = b"0123456789abcdef"
    digest = passwords._scrypt("old-password", salt, 2**14, 8, 1, 32)
    stored = "$".join(
        ["scrypt", str(2**14), "8", "1", passwords._b64(salt), passwords._b64(digest)]
    )
    assert verify_password("old-password", stored)
    assert not verify_password("old-passwork", stored)


@pytest.mark.parametrize(
    "password, username, message",
    [
        ("short7!", "", "至少"),
        ("aaaaaaaaaaaa", "", "太简单"),
        ("wang_li_2026", "WANG_LI_2026", "用户名"),
        ("x" * 100 + "yz" * 100, "", "不能超过"),
    ],
)
def test_policy_refuses_weak_passwords(password, username, message):
    with pytest.raises(PasswordPolicyError, match=message):
        check_policy(password, username)


def test_policy_accepts_a_reasonable_password():
    check_policy("店长培训2026!", "zhao")
