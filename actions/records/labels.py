"""Chinese wording and formatting shared by the CLI and the CSV export."""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Optional

STATUS_LABELS = {
    "in_progress": "进行中",
    "completed": "已完成",
    "walked_out": "顾客离店",
    "stopped": "中途结束",
    "abandoned": "已中断",
}
MODE_LABELS = {"practice": "练习", "exam": "考试"}

# Spreadsheet programs run cells starting with these as formulas; trainees'
# free text must never do that.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status)


def mode_label(mode: str) -> str:
    return MODE_LABELS.get(mode, mode)


def yes_no(value: bool) -> str:
    return "是" if value else "否"


def local_time(moment: Optional[datetime], zone: tzinfo) -> str:
    if moment is None:
        return ""
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")


def number(value: float) -> str:
    """60.0 → "60", 62.5 → "62.5"."""
    return f"{value:g}"


def minutes(seconds: Optional[int]) -> str:
    if seconds is None:
        return ""
    return f"{seconds / 60:.1f}"


def safe_cell(text: Optional[str]) -> str:
    if not text:
        return ""
    return "'" + text if text.startswith(_FORMULA_STARTS) else text
