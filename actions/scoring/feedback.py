"""Short Chinese feedback for a phone screen."""

from __future__ import annotations

MAX_STANDARD = 60
MAX_ITEMS = 6


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def build_feedback(
    *,
    score: int,
    passed: bool,
    pass_mark: int,
    hits: list[dict[str, str]],
    misses: list[dict[str, str]],
    violations: list[dict[str, str]],
    standard: str,
    manual_ref: str,
    note: str | None,
) -> str:
    verdict = "合格" if passed else "未达标"
    lines = [f"{score}分,{verdict}(及格线{pass_mark}分)。"]
    if note:
        lines.append(note)
    if violations:
        items = [f"{v['label']}(“{_clip(v['matched'], 30)}”)" for v in violations]
        lines.append("违规:" + ";".join(items[:MAX_ITEMS]))
    if hits:
        items = [f"{h['label']}(“{_clip(h['matched'], 12)}”)" for h in hits]
        lines.append("做到了:" + ";".join(items[:MAX_ITEMS]))
    if misses:
        items = [f"{m['label']},可说“{_clip(m['wording'], 24)}”" for m in misses]
        lines.append("还差:" + ";".join(items[:MAX_ITEMS]))
    reference = f"参考说法:{_clip(standard, MAX_STANDARD)}"
    if manual_ref:
        reference += f"〔手册 {manual_ref}〕"
    lines.append(reference)
    return "\n".join(lines)
