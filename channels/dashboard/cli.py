"""Trainer accounts of the dashboard: ``python -m channels.dashboard …``.

    python -m channels.dashboard create-trainer wang_li        # asks twice
    echo "$PASSWORD" | python -m channels.dashboard set-password wang_li --password-stdin
    python -m channels.dashboard list
    python -m channels.dashboard unlock wang_li
"""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Optional, Sequence, TextIO

from actions.records import Records
from actions.records.labels import local_time
from actions.records.settings import DB_URL_ENV, load_settings
from channels.dashboard.accounts import AccountError, AccountStore
from channels.dashboard.passwords import PasswordPolicyError, check_policy


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m channels.dashboard",
        description="导购陪练培训师后台:管理培训师账号。",
    )
    parser.add_argument("--db", help=f"数据库地址(默认读取环境变量 {DB_URL_ENV},否则用 var/records.db)")
    commands = parser.add_subparsers(dest="command", required=True, metavar="命令")
    for name, help_text in (
        ("create-trainer", "新建培训师账号"),
        ("set-password", "重设培训师密码(同时解除锁定并让已登录的会话失效)"),
    ):
        command = commands.add_parser(name, help=help_text)
        command.add_argument("username", help="用户名(2–32 个字符:字母、汉字、数字、. _ -)")
        command.add_argument(
            "--password-stdin",
            action="store_true",
            help="从标准输入读取密码(一行),用于脚本;否则交互输入两次",
        )
    commands.add_parser("list", help="列出培训师账号")
    unlock = commands.add_parser("unlock", help="解除因多次输错密码造成的锁定")
    unlock.add_argument("username")
    return parser


def read_password(
    use_stdin: bool, username: str, stdin: Optional[TextIO] = None
) -> str:
    if use_stdin:
        line = (stdin or sys.stdin).readline()
        return line.rstrip("\r\n")
    first = getpass.getpass("新密码:")
    check_policy(first, username)
    second = getpass.getpass("再输入一次:")
    if first != second:
        raise PasswordPolicyError("两次输入的密码不一致")
    return first


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = build_parser().parse_args(argv)
    settings = load_settings()
    records = Records(args.db or settings.db_url)
    accounts = AccountStore(records)
    try:
        if args.command == "list":
            return _list(accounts, settings.tz)
        if args.command == "unlock":
            accounts.unlock(args.username)
            print(f"已解除 {args.username} 的锁定。")
            return 0
        password = read_password(args.password_stdin, args.username)
        if args.command == "create-trainer":
            username = accounts.create_trainer(args.username, password)
            print(f"已创建培训师账号 {username},登录地址:/dashboard/login")
        else:
            accounts.set_password(args.username, password)
            print(f"已重设 {args.username} 的密码,原有登录会话已失效。")
        return 0
    except (AccountError, PasswordPolicyError) as error:
        print(f"错误:{error}", file=sys.stderr)
        return 1
    except (KeyboardInterrupt, EOFError):
        print("\n已取消。", file=sys.stderr)
        return 1
    finally:
        records.close()


def _list(accounts: AccountStore, zone) -> int:
    trainers = accounts.list_trainers()
    if not trainers:
        print("还没有培训师账号。用 create-trainer 新建一个。")
        return 0
    now = accounts.now()
    for trainer in trainers:
        state = "已停用" if trainer.disabled else "正常"
        if trainer.locked_until is not None and trainer.locked_until > now:
            state = f"锁定至 {local_time(trainer.locked_until, zone)}"
        last = local_time(trainer.last_login_at, zone) or "从未登录"
        print(
            f"{trainer.username}\t创建于 {local_time(trainer.created_at, zone)}"
            f"\t最近登录 {last}\t{state}"
        )
    return 0
