import pytest
from sqlalchemy.engine import make_url

from actions.records import Records
from actions.records.settings import (
    DEFAULT_TIMEZONE,
    PROJECT_ROOT,
    load_settings,
    sqlite_file_path,
)


def test_default_is_a_sqlite_file_under_var():
    settings = load_settings({})
    assert sqlite_file_path(settings.db_url) == PROJECT_ROOT / "var" / "records.db"
    assert settings.timezone == DEFAULT_TIMEZONE


@pytest.mark.parametrize(
    "url, driver",
    [
        ("postgresql://trainer:secret@db.internal:5432/records", "postgresql"),
        ("postgresql+psycopg2://trainer:secret@db/records", "postgresql+psycopg2"),
        ("postgres://trainer:secret@db/records", "postgresql"),
    ],
)
def test_postgresql_urls_are_accepted(url, driver):
    settings = load_settings({"RECORDS_DB_URL": url})
    parsed = make_url(settings.db_url)
    assert parsed.drivername == driver
    assert (parsed.username, parsed.password) == ("trainer", "secret")
    assert sqlite_file_path(settings.db_url) is None


def test_postgresql_engine_is_built_without_connecting():
    store = Records("postgresql://trainer:secret@db.invalid:5432/records")
    try:
        assert store.database.engine.dialect.name == "postgresql"
        assert store.database.engine.dialect.driver == "psycopg2"
    finally:
        store.close()


@pytest.mark.parametrize(
    "env",
    [
        {"RECORDS_DB_URL": "mysql://x@localhost/db"},
        {"RECORDS_DB_URL": "not a url"},
        {"RECORDS_TIMEZONE": "Mars/Olympus"},
    ],
)
def test_bad_settings_are_refused(env):
    with pytest.raises(ValueError):
        load_settings(env)


def test_nothing_is_created_before_first_use(tmp_path):
    db_file = tmp_path / "sub" / "records.db"
    store = Records(f"sqlite:///{db_file}")
    try:
        assert not db_file.exists()
        store.open_attempt("S001")
        assert db_file.exists()
    finally:
        store.close()
