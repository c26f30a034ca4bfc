"""Signed cookies and CSRF tokens: tampering and cross-purpose reuse are refused."""

import pytest

from channels.dashboard.signing import Signer

SECRET = b"k" * 40


@pytest.fixture
def signer():
    return Signer(SECRET)


def test_session_cookie_round_trip(signer):
    cookie = signer.session_cookie("tok_abc")
    assert signer.session_token(cookie) == "tok_abc"


@pytest.mark.parametrize(
    "mutate",
    [
        lambda c: c[:-1] + ("0" if c[-1] != "0" else "1"),  # signature changed
        lambda c: "tok_abd" + c[len("tok_abc") :],  # value changed
        lambda c: c.split(".")[0],  # no signature
        lambda c: "",
        lambda c: "." + c.split(".")[1],
    ],
)
def test_tampered_session_cookie_is_refused(signer, mutate):
    assert signer.session_token(mutate(signer.session_cookie("tok_abc"))) is None


def test_another_secret_does_not_verify(signer):
    other = Signer(b"z" * 40)
    assert signer.session_token(other.session_cookie("tok_abc")) is None


def test_a_login_form_token_is_not_a_session(signer):
    login_token = signer.new_login_csrf()
    assert signer.login_csrf_ok(login_token, login_token)
    assert signer.session_token(login_token) is None


def test_login_csrf_needs_matching_signed_pair(signer):
    token = signer.new_login_csrf()
    assert not signer.login_csrf_ok(token, signer.new_login_csrf())
    assert not signer.login_csrf_ok(None, token)
    forged = "abc.def"
    assert not signer.login_csrf_ok(forged, forged)


def test_csrf_token_is_bound_to_its_session(signer):
    token = signer.csrf_token("hash-of-session-a")
    assert signer.csrf_ok("hash-of-session-a", token)
    assert not signer.csrf_ok("hash-of-session-b", token)
    assert not signer.csrf_ok("hash-of-session-a", "")
    assert not signer.csrf_ok("hash-of-session-a", None)


def test_short_secret_is_refused():
    with pytest.raises(ValueError):
        Signer(b"short")
