"""Trainer's command line for the training records: ``python -m actions.records …``."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime, time, timedelta, tzinfo
from pathlib import Path
from typing import Callable, Optional, Sequence

from actions.records.errors import RecordNotFoundError
from actions.records.export import export_attempts_csv, export_replies_csv
from actions.records.key_points import describe_items
from actions.records.labels import (
    local_time,
    minutes,
    mode_label,
    number,
    status_label,
    yes_no,
)
from actions.records.reports import (
    attempt_transcript,
    scenario_stats,
    trainee_attempts,
    trainee_summaries,
    trainee_trend,
    weakest_key_points,
)
from actions.records.repository import Records
from actions.records.settings import DB_URL_ENV, PROJECT_ROOT, load_settings
from actions.records.text_table import format_table

SCENARIOS_DIR = PROJECT_ROOT / "data" / "scenarios"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m actions.records",
        description="导购陪练的练习记录:报表、导出、考试布置与分数调整。",
    )
    parser.add_argument("--db", help=f"数据库地址(默认读取环境变量 {DB_URL_ENV},否则用 var/records.db)")
    commands = parser.add_subparsers(dest="command", required=True, metavar="命令")

    report = commands.add_parser("report", help="查看报表")
    kinds = report.add_subparsers(dest="kind", required=True, metavar="报表")
    trainee = kinds.add_parser("trainee", help="某位学员的练习记录、趋势和各场景成绩")
    trainee.add_argument("trainee_id", help="学员编号(工号或企业微信 userid)")
    team = kinds.add_parser("team", help="全员概况和各场景通过率、平均分")
    team.add_argument("--days", type=int, help="只统计最近 N 天")
    weakest = kinds.add_parser("weakest", help="最常遗漏的服务要点")
    weakest.add_argument("--trainee", help="只看某位学员")
    weakest.add_argument("--days", type=int, help="只统计最近 N 天")
    weakest.add_argument("--limit", type=int, default=10, help="显示几条(默认 10)")
    weakest.add_argument("--min-seen", type=int, default=3, help="要点至少出现几次才参与排名(默认 3)")

    export = commands.add_parser("export", help="导出 CSV(UTF-8 带 BOM,Excel 可直接打开)")
    export.add_argument("what", choices=["attempts", "replies"], help="导出练习或回复")
    export.add_argument("--output", required=True, type=Path, help="输出文件 .csv")
    export.add_argument("--trainee", help="只导出某位学员")
    export.add_argument("--scenario", help="只导出某个场景")
    export.add_argument("--days", type=int, help="只导出最近 N 天")

    assign = commands.add_parser("assign", help="布置考试")
    assign.add_argument("--scenario", required=True, help="场景编号")
    assign.add_argument(
        "--trainee", required=True, action="append", help="学员编号,可重复填写多位"
    )
    assign.add_argument("--due", required=True, help="截止日期,如 2026-12-31(当天 23:59 截止)")
    assign.add_argument("--by", required=True, help="布置人(培训师)")

    assignments = commands.add_parser("assignments", help="查看某位学员的考试任务")
    assignments.add_argument("trainee_id", help="学员编号")

    override = commands.add_parser("override", help="培训师调整某条回复的分数")
    override.add_argument("reply_id", type=int, help="回复编号(见 transcript)")
    override.add_argument("new_score", type=int, help="新分数 0–100")
    override.add_argument("--comment", required=True, help="调整说明(必填)")
    override.add_argument("--by", required=True, help="培训师")

    transcript = commands.add_parser("transcript", help="查看一次练习的完整对话和评分")
    transcript.add_argument("attempt_id", help="练习编号")

    stale = commands.add_parser("close-stale", help="把长时间无动静的练习标记为已中断")
    stale.add_argument("--hours", type=float, default=12, help="闲置多少小时(默认 12)")
    return parser


def parse_due(text: str, zone: tzinfo) -> datetime:
    """'2026-12-31' means the end of that day; 'YYYY-MM-DD HH:MM' is exact (local)."""
    value = text.strip()
    try:
        if len(value) <= 10:
            day = datetime.strptime(value, "%Y-%m-%d").date()
            return datetime.combine(day, time(23, 59, 59), tzinfo=zone)
        return datetime.strptime(value, "%Y-%m-%d %H:%M").replace(tzinfo=zone)
    except ValueError as error:
        raise ValueError(
            f"截止日期格式应为 2026-12-31 或 2026-12-31 18:00,收到 {text!r}"
        ) from error


class Commands:
    def __init__(self, records: Records, zone: tzinfo) -> None:
        self.records = records
        self.zone = zone

    def _since(self, days: Optional[int]) -> Optional[datetime]:
        return None if days is None else self.records.now() - timedelta(days=days)

    def report(self, args: argparse.Namespace) -> int:
        handlers: dict[str, Callable[[argparse.Namespace], int]] = {
            "trainee": self.report_trainee,
            "team": self.report_team,
            "weakest": self.report_weakest,
        }
        return handlers[args.kind](args)

    def report_trainee(self, args: argparse.Namespace) -> int:
        attempts = trainee_attempts(self.records, args.trainee_id)
        if not attempts:
            print(f"学员 {args.trainee_id} 还没有练习记录。")
            return 0
        name = attempts[0].trainee_name or ""
        print(f"学员:{args.trainee_id} {name}".rstrip())
        print(f"\n练习记录(共 {len(attempts)} 次,最新在前)")
        print(
            format_table(
                ["开始时间", "场景", "模式", "状态", "总分", "通过", "用时(分)", "练习编号"],
                [
                    [
                        local_time(row.started_at, self.zone),
                        row.scenario_title,
                        mode_label(row.mode),
                        status_label(row.status),
                        row.total_score,
                        yes_no(row.passed),
                        minutes(row.duration_seconds),
                        row.attempt_id,
                    ]
                    for row in attempts
                ],
            )
        )
        trend = trainee_trend(self.records, args.trainee_id)
        print("\n成绩趋势(按完成先后)")
        if trend.points:
            print(" → ".join(str(point.total_score) for point in trend.points))
        if trend.slope is None:
            print("完成的练习不足两次,暂无趋势。")
        else:
            print(f"平均每次变化 {trend.slope:+.1f} 分")
        self._print_scenarios(scenario_stats(self.records, trainee_id=args.trainee_id))
        return 0

    def report_team(self, args: argparse.Namespace) -> int:
        since = self._since(args.days)
        summaries = trainee_summaries(self.records, since=since)
        print(f"学员概况(共 {len(summaries)} 人)")
        print(
            format_table(
                ["学员编号", "姓名", "完成次数", "通过次数", "通过率", "平均分", "最近完成"],
                [
                    [
                        row.trainee_id,
                        row.display_name or "",
                        row.attempts,
                        row.passed,
                        f"{row.pass_rate:.0%}" if row.attempts else "",
                        "" if row.average_score is None else f"{row.average_score:.1f}",
                        local_time(row.last_finished_at, self.zone),
                    ]
                    for row in summaries
                ],
            )
        )
        self._print_scenarios(scenario_stats(self.records, since=since))
        return 0

    def _print_scenarios(self, stats: Sequence) -> None:
        print("\n各场景成绩(只计已完成或顾客离店的练习)")
        if not stats:
            print("暂无。")
            return
        print(
            format_table(
                ["场景编号", "场景", "次数", "通过", "通过率", "平均分", "最高分"],
                [
                    [
                        row.scenario_id,
                        row.scenario_title,
                        row.attempts,
                        row.passed,
                        f"{row.pass_rate:.0%}",
                        f"{row.average_score:.1f}",
                        row.best_score,
                    ]
                    for row in stats
                ],
            )
        )

    def report_weakest(self, args: argparse.Namespace) -> int:
        weakest = weakest_key_points(
            self.records,
            trainee_id=args.trainee,
            since=self._since(args.days),
            limit=args.limit,
            min_seen=args.min_seen,
        )
        if not weakest:
            print(f"暂无出现 {args.min_seen} 次以上且有遗漏的要点。")
            return 0
        print("最常遗漏的服务要点")
        print(
            format_table(
                ["情境", "要点", "遗漏率", "遗漏", "出现"],
                [
                    [
                        stat.situation,
                        stat.label,
                        f"{stat.miss_rate:.0%}",
                        stat.misses,
                        stat.seen,
                    ]
                    for stat in weakest
                ],
            )
        )
        return 0

    def export(self, args: argparse.Namespace) -> int:
        writer = export_attempts_csv if args.what == "attempts" else export_replies_csv
        count = writer(
            self.records,
            args.output,
            self.zone,
            trainee_id=args.trainee,
            scenario_id=args.scenario,
            since=self._since(args.days),
        )
        print(f"已导出 {count} 行到 {args.output}")
        return 0

    def assign(self, args: argparse.Namespace) -> int:
        due_at = parse_due(args.due, self.zone)
        if not (SCENARIOS_DIR / f"{args.scenario}.yml").is_file():
            print(
                f"提示:没有找到场景文件 data/scenarios/{args.scenario}.yml," "请确认场景编号。",
                file=sys.stderr,
            )
        ids = self.records.assign_exam(args.scenario, args.trainee, due_at, args.by)
        print(
            f"已布置考试 {args.scenario} 给 {len(ids)} 位学员,"
            f"截止 {local_time(due_at, self.zone)}(任务编号 {', '.join(map(str, ids))})"
        )
        return 0

    def assignments(self, args: argparse.Namespace) -> int:
        rows = self.records.assignments_for(args.trainee_id)
        if not rows:
            print(f"学员 {args.trainee_id} 没有考试任务。")
            return 0

        def state(row) -> str:
            if row.done:
                return "已完成"
            return "已逾期" if row.overdue else "待完成"

        print(
            format_table(
                ["任务编号", "场景", "截止时间", "状态", "布置人", "考试记录"],
                [
                    [
                        row.id,
                        row.scenario_id,
                        local_time(row.due_at, self.zone),
                        state(row),
                        row.assigned_by,
                        row.attempt_id or "",
                    ]
                    for row in rows
                ],
            )
        )
        return 0

    def override(self, args: argparse.Namespace) -> int:
        result = self.records.override_score(
            args.reply_id, args.new_score, args.comment, args.by
        )
        print(
            f"回复 {result.reply_id} 的分数已由 {result.old_score} 改为 "
            f"{result.new_score};练习 {result.attempt_id} 总分现为 "
            f"{result.attempt_total}({'通过' if result.attempt_passed else '未通过'})。"
        )
        return 0

    def transcript(self, args: argparse.Namespace) -> int:
        transcript = attempt_transcript(self.records, args.attempt_id)
        attempt = transcript.attempt
        print(
            f"{attempt.scenario_title}({mode_label(attempt.mode)})"
            f" 学员 {attempt.trainee_id} {attempt.trainee_name or ''}".rstrip()
        )
        print(
            f"开始 {local_time(attempt.started_at, self.zone)},"
            f"状态 {status_label(attempt.status)},总分 {attempt.total_score}"
            f"(及格线 {number(attempt.pass_mark)},"
            f"{'已通过' if attempt.passed else '未通过'}),"
            f"提示 {attempt.hints_used} 次,评分标准 {attempt.rubric_version}"
        )
        for reply in transcript.replies:
            score = str(reply.score)
            if reply.overridden:
                score = f"{reply.effective_score}(原 {reply.score})"
            closing = ",本轮结束" if reply.final else ""
            hint = ",用了提示" if reply.hint_used else ""
            print(
                f"\n第 {reply.turn_index + 1} 轮 第 {reply.try_index + 1} 次"
                f" [{reply.situation}] 回复编号 {reply.reply_id}"
            )
            print(f"  顾客:{reply.customer_line}")
            print(f"  学员:{reply.reply}")
            print(f"  得分:{score}{hint}{closing}")
            for title, items in (
                ("命中", reply.hits),
                ("遗漏", reply.misses),
                ("违规", reply.violations),
            ):
                if items:
                    print(f"  {title}:{'、'.join(describe_items(items))}")
            for item in reply.overrides:
                print(
                    f"  调整:{local_time(item.created_at, self.zone)} {item.trainer}"
                    f" {item.old_score}→{item.new_score}:{item.comment}"
                )
        return 0

    def close_stale(self, args: argparse.Namespace) -> int:
        closed = self.records.close_stale_attempts(timedelta(hours=args.hours))
        print(f"已将 {len(closed)} 次闲置练习标记为已中断。")
        return 0


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = load_settings()
        records = Records(args.db or settings.db_url)
    except ValueError as error:
        print(f"错误:{error}", file=sys.stderr)
        return 2
    commands = Commands(records, settings.tz)
    handler = getattr(commands, args.command.replace("-", "_"))
    try:
        return handler(args)
    except (ValueError, RecordNotFoundError) as error:
        print(f"错误:{error}", file=sys.stderr)
        return 1
    finally:
        records.close()
