"""Dashboard settings: the secret comes from env or a file generated once (0600)."""

import stat

import pytest

from channels.dashboard.settings import DashboardSettings, LockoutPolicy


def test_secret_file_is_generated_once_with_private_permissions(tmp_path):
    secret_file = tmp_path / "var" / "dashboard_secret"
    env = {"DASHBOARD_SECRET_FILE": str(secret_file)}
    first = DashboardSettings.from_sources(environ=env)
    second = DashboardSettings.from_sources(environ=env)
    assert first.secret == second.secret and len(first.secret) >= 32
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600


def test_secret_from_env_wins(tmp_path):
    env = {
        "DASHBOARD_SECRET": "s" * 40,
        "DASHBOARD_SECRET_FILE": str(tmp_path / "unused"),
    }
    assert DashboardSettings.from_sources(environ=env).secret == b"s" * 40
    assert not (tmp_path / "unused").exists()


@pytest.mark.parametrize(
    "env, message",
    [
        ({"DASHBOARD_SECRET": "too-short"}, "至少"),
        ({"DASHBOARD_COOKIE_SECURE": "sometimes"}, "DASHBOARD_COOKIE_SECURE"),
        ({"DASHBOARD_SESSION_HOURS": "0"}, "大于 0"),
        ({"DASHBOARD_FAILURE_DELAY": "-1"}, "负数"),
    ],
)
def test_bad_settings_are_refused(tmp_path, env, message):
    env = {"DASHBOARD_SECRET_FILE": str(tmp_path / "s"), **env}
    with pytest.raises(ValueError, match=message):
        DashboardSettings.from_sources(environ=env)


def test_credentials_override_env(tmp_path):
    env = {
        "DASHBOARD_SECRET_FILE": str(tmp_path / "s"),
        "DASHBOARD_COOKIE_SECURE": "never",
    }
    settings = DashboardSettings.from_sources({"cookie_secure": "always"}, environ=env)
    assert settings.cookie_secure == "always"


@pytest.mark.parametrize(
    "failures, expected", [(0, 0.0), (1, 0.5), (2, 1.0), (3, 2.0), (5, 8.0), (9, 8.0)]
)
def test_failure_delay_grows_and_is_capped(failures, expected):
    assert (
        LockoutPolicy(base_delay=0.5, max_delay=8.0).delay_after(failures) == expected
    )
