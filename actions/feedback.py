"""Chinese messages for practice: the per-reply feedback card and the end report.

Pure formatting over plain data (scorer results, stored replies), so it is unit-tested directly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import List, Mapping, Optional, Sequence, Tuple

STATUS_TEXT = {
    "completed": "完成",
    "walked_out": "顾客离开",
    "stopped": "中途结束",
    "abandoned": "超时未完成",
    "in_progress": "进行中",
}


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def feedback_card(
    result: Mapping, turn_score: int, pass_mark: float, penalties: Sequence[str] = ()
) -> str:
    """One reply's feedback, short enough for a phone screen."""
    verdict = "✔ 达标" if turn_score >= pass_mark else "✘ 未达标"
    head = f"得分 {turn_score}/100 {verdict}"
    if penalties:
        head += "(" + ",".join(penalties) + ")"
    lines = [head]
    for hit in result.get("hits", []):
        matched = hit.get("matched")
        lines.append(
            f"✓ {hit['label']}" + (f"(“{_short(str(matched), 20)}”)" if matched else "")
        )
    for miss in result.get("misses", []):
        wording = miss.get("wording") or miss["label"]
        lines.append(f"✗ {miss['label']} → 可以说:“{_short(wording, 40)}”")
    for rule in result.get("violations", []):
        lines.append(f"⚠ 违规:{rule['label']}")
    if result.get("standard"):
        lines.append(f"标准话术:{_short(result['standard'], 80)}")
    if result.get("manual_ref"):
        lines.append(f"手册出处:{result['manual_ref']}")
    return "\n".join(lines)


def feedback_payload(
    result: Mapping, turn_score: int, pass_mark: float, penalties: Sequence[str] = ()
) -> dict:
    """The same feedback as structured data, for clients that draw their own card."""
    return {
        "type": "feedback",
        "score": turn_score,
        "raw_score": result.get("score"),
        "passed": turn_score >= pass_mark,
        "pass_mark": pass_mark,
        "penalties": list(penalties),
        "hits": [
            {"label": hit["label"], "matched": hit.get("matched") or ""}
            for hit in result.get("hits", [])
        ],
        "misses": [
            {"label": miss["label"], "wording": miss.get("wording") or ""}
            for miss in result.get("misses", [])
        ],
        "violations": [
            {"label": rule["label"], "matched": rule.get("matched") or ""}
            for rule in result.get("violations", [])
        ],
        "standard": result.get("standard") or "",
        "manual_ref": result.get("manual_ref") or "",
    }


@dataclass
class KeyPointTally:
    label: str
    wording: str
    manual_ref: str
    hits: int = 0
    total: int = 0


@dataclass
class ReportData:
    title: str
    mode: str
    status: str
    total: int
    passed: bool
    pass_mark: float
    started_at: Optional[datetime]
    finished_at: Optional[datetime]
    # (situation title, average closing score of its turns), in turn order
    per_situation: List[Tuple[str, int]] = field(default_factory=list)
    key_points: List[KeyPointTally] = field(default_factory=list)
    violations: List[str] = field(default_factory=list)


def improvements(data: ReportData, limit: int = 3) -> List[str]:
    """Broken rules first, then the key points missed most often, with the manual's wording."""
    tips: List[str] = []
    for label in dict.fromkeys(data.violations):
        tips.append(f"避免“{label}”:这是硬性规定,一旦违反该句不及格。")
    weakest = sorted(
        (t for t in data.key_points if t.hits < t.total),
        key=lambda t: (t.hits / t.total, -t.total),
    )
    for tally in weakest:
        wording = f":“{_short(tally.wording, 40)}”" if tally.wording else ""
        ref = f"(手册 {tally.manual_ref})" if tally.manual_ref else ""
        tips.append(f"记得【{tally.label}】{wording}{ref}")
    if not tips:
        tips.append("各要点都做到了,继续保持,可以挑战更高难度的场景。")
    return tips[:limit]


def duration_text(start: Optional[datetime], end: Optional[datetime]) -> str:
    if not start or not end:
        return "—"
    seconds = max(0, int((end - start).total_seconds()))
    minutes, seconds = divmod(seconds, 60)
    return f"{minutes}分{seconds}秒" if minutes else f"{seconds}秒"


def format_report(data: ReportData) -> str:
    mode = "考试" if data.mode == "exam" else "练习"
    verdict = "✔ 通过" if data.passed else "✘ 未通过"
    lines = [
        f"【{mode}报告】{data.title}",
        f"总分 {data.total}/100 {verdict}(及格线 {int(data.pass_mark)},"
        f"{STATUS_TEXT.get(data.status, data.status)})",
        f"用时 {duration_text(data.started_at, data.finished_at)}",
    ]
    if data.per_situation:
        lines.append("各环节得分:")
        lines.extend(f" · {title}:{score}" for title, score in data.per_situation)
    if data.key_points:
        lines.append(
            "要点掌握:"
            + ",".join(
                f"{t.label} {t.hits}/{t.total}{'✓' if t.hits == t.total else '✗'}"
                for t in data.key_points
            )
        )
    lines.append("改进建议:")
    lines.extend(f"{i}. {tip}" for i, tip in enumerate(improvements(data), start=1))
    return "\n".join(lines)
