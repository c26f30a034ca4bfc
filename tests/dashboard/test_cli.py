"""`python -m channels.dashboard`: trainer accounts from the command line."""

import io
import subprocess
import sys
from pathlib import Path

import pytest

from actions.records import Records
from channels.dashboard import cli
from channels.dashboard.accounts import AccountStore

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def db(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'records.db'}"


def run(db, *args, stdin="", monkeypatch=None):
    if monkeypatch is not None:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    return cli.main(["--db", db, *args])


def can_log_in(db, username, password) -> bool:
    records = Records(db)
    try:
        return AccountStore(records).authenticate(username, password).ok
    finally:
        records.close()


def test_create_with_password_from_stdin(db, monkeypatch, capsys):
    code = run(
        db,
        "create-trainer",
        "Zhou_Ming",
        "--password-stdin",
        stdin="门店-培训-2026\n",
        monkeypatch=monkeypatch,
    )
    assert code == 0
    assert "zhou_ming" in capsys.readouterr().out
    assert can_log_in(db, "zhou_ming", "门店-培训-2026")


def test_create_prompts_twice_and_refuses_a_mismatch(db, monkeypatch, capsys):
    answers = iter(["first-password-1", "other-password-2"])
    monkeypatch.setattr(cli.getpass, "getpass", lambda prompt: next(answers))
    assert run(db, "create-trainer", "wu_fang") == 1
    assert "不一致" in capsys.readouterr().err
    answers = iter(["first-password-1", "first-password-1"])
    assert run(db, "create-trainer", "wu_fang") == 0
    assert can_log_in(db, "wu_fang", "first-password-1")


@pytest.mark.parametrize(
    "args, stdin, message",
    [
        (["create-trainer", "x"], "long-enough-1\n", "用户名"),
        (["create-trainer", "new_one"], "short\n", "至少"),
        (["set-password", "ghost"], "long-enough-1\n", "没有培训师账号"),
        (["unlock", "ghost"], "", "没有培训师账号"),
    ],
)
def test_errors_are_reported_in_chinese(db, monkeypatch, capsys, args, stdin, message):
    stdin_args = ["--password-stdin"] if args[0] != "unlock" else []
    assert run(db, *args, *stdin_args, stdin=stdin, monkeypatch=monkeypatch) == 1
    assert message in capsys.readouterr().err


def test_set_password_list_and_unlock(db, monkeypatch, capsys):
    run(
        db,
        "create-trainer",
        "zheng_hua",
        "--password-stdin",
        stdin="old-password-1\n",
        monkeypatch=monkeypatch,
    )
    records = Records(db)
    store = AccountStore(records)
    for n in range(5):
        store.authenticate("zheng_hua", f"guess-{n}")
    records.close()
    run(db, "list")
    assert "锁定至" in capsys.readouterr().out
    assert run(db, "unlock", "zheng_hua") == 0
    assert (
        run(
            db,
            "set-password",
            "zheng_hua",
            "--password-stdin",
            stdin="new-password-2\n",
            monkeypatch=monkeypatch,
        )
        == 0
    )
    assert can_log_in(db, "zheng_hua", "new-password-2")
    assert not can_log_in(db, "zheng_hua", "old-password-1")
    run(db, "list")
    out = capsys.readouterr().out
    assert "zheng_hua" in out and "正常" in out


def test_runs_as_a_module(db):
    done = subprocess.run(
        [sys.executable, "-m", "channels.dashboard", "--db", db, "list"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "还没有培训师账号" in done.stdout


def test_the_account_commands_do_not_load_rasa():
    script = "import sys, channels.dashboard.cli; print('rasa' in sys.modules)"
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.stdout.strip() == "False", done.stderr
