import csv
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from actions.records.export import (
    ATTEMPT_HEADERS,
    REPLY_HEADERS,
    export_attempts_csv,
    export_replies_csv,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
BOM = b"\xef\xbb\xbf"


@pytest.fixture
def finished_attempt(records, start, reply, clock):
    records.ensure_trainee("S001", name="张三")
    attempt_id = start(turn_count=2)
    clock.advance(minutes=3)
    first = reply(
        attempt_id,
        0,
        40,
        reply="=HYPERLINK(1)",  # a spreadsheet must not run this
        hits=[{"id": "apologise", "label": "先道歉"}],
        misses=["统一定价", "售后有保障"],
        violations=[{"id": "discount", "label": "私自打折"}],
    )
    reply(attempt_id, 1, 90)
    clock.advance(minutes=3)
    records.finish_attempt(attempt_id, "completed")
    records.override_score(first, 60, "理由充分", "王老师")
    return attempt_id


def read_csv(path):
    raw = path.read_bytes()
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return raw, list(csv.reader(handle))


def test_attempts_csv_has_bom_and_chinese_headers(records, finished_attempt, tmp_path):
    output = tmp_path / "out" / "attempts.csv"
    assert export_attempts_csv(records, output, SHANGHAI) == 1
    raw, rows = read_csv(output)
    assert raw.startswith(BOM)
    assert rows[0] == ATTEMPT_HEADERS
    assert "学员编号" in rows[0] and "总分" in rows[0]
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["练习编号"] == finished_attempt
    assert (row["学员姓名"], row["模式"], row["状态"]) == ("张三", "练习", "已完成")
    assert (row["总分"], row["是否通过"], row["及格线"]) == ("75", "是", "60")
    # 01:00 UTC is 09:00 in Shanghai; the attempt took six minutes.
    assert row["开始时间"] == "2026-03-02 09:00"
    assert row["用时(分钟)"] == "6.0"


def test_replies_csv_rows(records, finished_attempt, tmp_path):
    output = tmp_path / "replies.csv"
    assert export_replies_csv(records, output, SHANGHAI) == 2
    raw, rows = read_csv(output)
    assert raw.startswith(BOM)
    assert rows[0] == REPLY_HEADERS
    first, second = (dict(zip(rows[0], row, strict=True)) for row in rows[1:])
    assert (first["轮次"], first["作答次序"], second["轮次"]) == ("1", "1", "2")
    assert first["学员回复"] == "'=HYPERLINK(1)"
    assert (first["系统评分"], first["有效得分"]) == ("40", "60")
    assert first["命中要点"] == "先道歉"
    assert first["遗漏要点"] == "统一定价、售后有保障"
    assert first["违反规则"] == "私自打折"
    assert "王老师" in first["分数调整记录"] and "40→60" in first["分数调整记录"]
    assert second["分数调整记录"] == ""


def test_export_filters(records, finished_attempt, tmp_path, clock):
    output = tmp_path / "none.csv"
    assert export_attempts_csv(records, output, SHANGHAI, trainee_id="S999") == 0
    _, rows = read_csv(output)
    assert rows == [ATTEMPT_HEADERS]
    later = clock() + timedelta(days=1)
    assert export_replies_csv(records, output, SHANGHAI, since=later) == 0
