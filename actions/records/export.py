"""CSV export of attempts and replies: UTF-8 with BOM and Chinese headers, so
Excel on a Chinese Windows opens it correctly with a double click."""

from __future__ import annotations

import csv
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Iterable, Optional

from actions.records.key_points import describe_items
from actions.records.labels import (
    local_time,
    minutes,
    mode_label,
    number,
    safe_cell,
    status_label,
    yes_no,
)
from actions.records.reports import (
    AttemptRow,
    ReplyRow,
    iter_replies,
    list_attempts,
)
from actions.records.repository import Records

CSV_ENCODING = "utf-8-sig"  # writes the BOM

# Whose attempt of which scenario: in both files, so each row reads on its own.
ATTEMPT_IDENTITY_HEADERS = [
    "练习编号",
    "学员编号",
    "学员姓名",
    "场景编号",
    "场景名称",
    "模式",
]

ATTEMPT_HEADERS = [
    *ATTEMPT_IDENTITY_HEADERS,
    "状态",
    "开始时间",
    "结束时间",
    "用时(分钟)",
    "总分",
    "及格线",
    "是否通过",
    "提示次数",
    "场景轮数",
    "评分标准版本",
    "考试任务编号",
    "随机种子",
]

REPLY_HEADERS = [
    "回复编号",
    *ATTEMPT_IDENTITY_HEADERS,
    "轮次",
    "作答次序",
    "情境",
    "顾客说",
    "学员回复",
    "系统评分",
    "有效得分",
    "使用提示",
    "本轮最终回复",
    "命中要点",
    "遗漏要点",
    "违反规则",
    "分数调整记录",
    "回复时间",
]


def attempt_identity_cells(row: AttemptRow) -> list[str]:
    return [
        row.attempt_id,
        safe_cell(row.trainee_id),
        safe_cell(row.trainee_name),
        row.scenario_id,
        safe_cell(row.scenario_title),
        mode_label(row.mode),
    ]


def attempt_cells(row: AttemptRow, zone: tzinfo) -> list[str]:
    return [
        *attempt_identity_cells(row),
        status_label(row.status),
        local_time(row.started_at, zone),
        local_time(row.finished_at, zone),
        minutes(row.duration_seconds),
        str(row.total_score),
        number(row.pass_mark),
        yes_no(row.passed),
        str(row.hints_used),
        str(row.turn_count),
        safe_cell(row.rubric_version),
        "" if row.assignment_id is None else str(row.assignment_id),
        str(row.seed),
    ]


def reply_cells(attempt: AttemptRow, reply: ReplyRow, zone: tzinfo) -> list[str]:
    overrides = "; ".join(
        f"{local_time(o.created_at, zone)} {o.trainer}:{o.old_score}→{o.new_score}"
        f"({o.comment})"
        for o in reply.overrides
    )
    return [
        str(reply.reply_id),
        *attempt_identity_cells(attempt),
        # People count turns and tries from 1.
        str(reply.turn_index + 1),
        str(reply.try_index + 1),
        reply.situation,
        safe_cell(reply.customer_line),
        safe_cell(reply.reply),
        str(reply.score),
        str(reply.effective_score),
        yes_no(reply.hint_used),
        yes_no(reply.final),
        safe_cell("、".join(describe_items(reply.hits))),
        safe_cell("、".join(describe_items(reply.misses))),
        safe_cell("、".join(describe_items(reply.violations))),
        safe_cell(overrides),
        local_time(reply.created_at, zone),
    ]


def export_attempts_csv(
    records: Records,
    output: Path,
    zone: tzinfo,
    *,
    trainee_id: Optional[str] = None,
    scenario_id: Optional[str] = None,
    since: Optional[datetime] = None,
) -> int:
    """Write the attempts (oldest first) and return how many rows were written."""
    rows = list_attempts(
        records, trainee_id=trainee_id, scenario_id=scenario_id, since=since
    )
    rows.reverse()
    return _write_csv(output, ATTEMPT_HEADERS, (attempt_cells(r, zone) for r in rows))


def export_replies_csv(
    records: Records,
    output: Path,
    zone: tzinfo,
    *,
    trainee_id: Optional[str] = None,
    scenario_id: Optional[str] = None,
    since: Optional[datetime] = None,
) -> int:
    """Write every reply with its attempt and return how many rows were written."""
    replies = iter_replies(
        records, trainee_id=trainee_id, scenario_id=scenario_id, since=since
    )
    return _write_csv(
        output, REPLY_HEADERS, (reply_cells(a, r, zone) for a, r in replies)
    )


def _write_csv(output: Path, headers: list[str], rows: Iterable[list[str]]) -> int:
    """Write the header and the rows; return how many rows were written."""
    output.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with output.open("w", encoding=CSV_ENCODING, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(headers)
        for row in rows:
            writer.writerow(row)
            count += 1
    return count
