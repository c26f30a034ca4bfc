"""Bulk grading: ``python -m actions.scoring`` (CONTRACT 3 of docs/design.md).

Reads JSON Lines (stdin or ``--input``), writes JSON Lines (stdout or
``--output``).  Each input line is ``{"id", "situation" | "standard", "reply",
"context"?}``; each output line is ``{"id", "situation", "score", "passed", "hits",
"misses", "violations", "feedback", "standard", ...}`` or, for a line that cannot
be graded, ``{"id", "error"}``.  The batch always continues; the exit status is 1
if any line failed.  ``--format csv`` (or a ``.csv`` file name) reads and writes
CSV instead: UTF-8 with a BOM so that Excel opens it, columns id, situation,
standard, reply, context (JSON) or total / paid.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from collections.abc import Iterable, Iterator
from typing import IO, Any

from .auto import score_against_phrase
from .catalogue import Catalogue, CatalogueError, load_catalogue
from .engine import UnknownSituationError, score_reply

PROGRESS_THRESHOLD = 200  # lines; below this no progress bar unless on a terminal
CSV_COLUMNS = [
    "id",
    "situation",
    "score",
    "passed",
    "hits",
    "misses",
    "violations",
    "feedback",
    "standard",
    "error",
]


class LineError(ValueError):
    """A line that cannot be graded; the message is shown to the trainer."""


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m actions.scoring",
        description="按门店服务标准批量评分(JSON Lines 或 CSV)。",
    )
    parser.add_argument("--input", "-i", help="输入文件(默认标准输入)")
    parser.add_argument("--output", "-o", help="输出文件(默认标准输出)")
    parser.add_argument("--format", choices=("jsonl", "csv"), help="输入输出格式")
    parser.add_argument("--standards", help="标准库文件(默认 data/standards.yml)")
    parser.add_argument("--pass-mark", type=int, help="及格线(默认取标准库)")
    parser.add_argument("--quiet", "-q", action="store_true", help="不显示进度条")
    return parser.parse_args(argv)


def _format_of(path: str | None, chosen: str | None, fallback: str = "jsonl") -> str:
    if chosen:
        return chosen
    if path and path.lower().endswith(".csv"):
        return "csv"
    return fallback


def read_records(text: str, fmt: str) -> Iterator[tuple[int, dict[str, Any] | str]]:
    """(line number, record) pairs; a record that cannot be parsed is a message."""
    if fmt == "csv":
        reader = csv.DictReader(io.StringIO(text))
        for number, row in enumerate(reader, start=2):
            yield number, _record_from_csv(row)
        return
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            record = json.loads(raw)
        except json.JSONDecodeError as error:
            yield number, f"第{number}行不是合法的 JSON:{error.msg}"
            continue
        if not isinstance(record, dict):
            yield number, f"第{number}行应为 JSON 对象"
            continue
        yield number, record


def _record_from_csv(row: dict[str, Any]) -> dict[str, Any] | str:
    record: dict[str, Any] = {
        k: (v or "").strip() for k, v in row.items() if k and v is not None
    }
    context: dict[str, Any] = {}
    if record.get("context"):
        try:
            context = json.loads(record["context"])
        except json.JSONDecodeError:
            return "context 列不是合法的 JSON"
    for key in ("total", "paid"):
        if record.get(key):
            try:
                context[key] = float(record[key].replace(",", ""))
            except ValueError:
                return f"{key} 列不是数字:{record[key]}"
    record["context"] = context or None
    return record


def grade(record: dict[str, Any], catalogue: Catalogue, pass_mark: int | None) -> dict:
    """Grade one record; raises LineError for a line that cannot be graded."""
    reply = record.get("reply")
    if not isinstance(reply, str) or not reply.strip():
        raise LineError("回复(reply)为空")
    context = record.get("context")
    if context is not None and not isinstance(context, dict):
        raise LineError("context 应为 JSON 对象")
    situation = record.get("situation")
    standard = record.get("standard")
    if situation:
        try:
            result = score_reply(str(situation), reply, context, catalogue, pass_mark)
        except UnknownSituationError as error:
            raise LineError(str(error)) from error
    elif isinstance(standard, str) and standard.strip():
        result = score_against_phrase(standard, reply, context, catalogue, pass_mark)
    else:
        raise LineError("缺少情境(situation)或标准说法(standard)")
    return {"id": record.get("id"), **result.to_dict()}


def grade_all(
    records: Iterable[tuple[int, dict[str, Any] | str]],
    catalogue: Catalogue,
    pass_mark: int | None,
) -> Iterator[dict[str, Any]]:
    for number, record in records:
        if isinstance(record, str):
            yield {"id": None, "line": number, "error": record}
            continue
        try:
            yield grade(record, catalogue, pass_mark)
        except LineError as error:
            yield {"id": record.get("id"), "line": number, "error": str(error)}
        except Exception as error:  # one bad line must never stop the batch
            message = f"无法评分:{type(error).__name__}: {error}"
            yield {"id": record.get("id"), "line": number, "error": message}


def _csv_cell(key: str, value: Any) -> str:
    if value is None:
        return ""
    if key == "hits" or key == "violations":
        return ";".join(f"{v['label']}({v['matched']})" for v in value)
    if key == "misses":
        return ";".join(f"{v['label']}:{v['wording']}" for v in value)
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


def write_results(results: Iterable[dict[str, Any]], stream: IO[str], fmt: str) -> None:
    if fmt == "csv":
        stream.write("\ufeff")  # BOM: Excel then reads UTF-8
        writer = csv.DictWriter(stream, fieldnames=CSV_COLUMNS, extrasaction="ignore")
        writer.writeheader()
        for result in results:
            writer.writerow({k: _csv_cell(k, result.get(k)) for k in CSV_COLUMNS})
        return
    for result in results:
        stream.write(json.dumps(result, ensure_ascii=False) + "\n")


def _with_progress(
    items: list[tuple[int, dict[str, Any] | str]], enabled: bool
) -> Iterable[tuple[int, dict[str, Any] | str]]:
    if not enabled:
        return items
    from tqdm import tqdm

    return tqdm(items, desc="评分", unit="条", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    args = parse_arguments(argv)
    in_format = _format_of(args.input, args.format)
    out_format = _format_of(args.output, args.format, fallback=in_format)
    try:
        catalogue = load_catalogue(args.standards)
    except CatalogueError as error:
        print(f"标准库有误:{error}", file=sys.stderr)
        return 2
    try:
        if args.input:
            with open(args.input, encoding="utf-8-sig", newline="") as stream:
                text = stream.read()
        else:
            text = sys.stdin.buffer.read().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        print(f"无法读取输入:{error}", file=sys.stderr)
        return 2
    records = list(read_records(text, in_format))
    show = not args.quiet and (
        sys.stderr.isatty() or len(records) >= PROGRESS_THRESHOLD
    )
    failed = False

    def tracked(results: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        nonlocal failed
        for result in results:
            failed = failed or "error" in result
            yield result

    results = tracked(
        grade_all(_with_progress(records, show), catalogue, args.pass_mark)
    )
    if args.output:
        newline = "" if out_format == "csv" else None
        with open(args.output, "w", encoding="utf-8", newline=newline) as stream:
            write_results(results, stream, out_format)
    else:
        out = io.TextIOWrapper(
            sys.stdout.buffer,
            encoding="utf-8",
            newline="" if out_format == "csv" else None,
            write_through=True,
        )
        write_results(results, out, out_format)
        out.flush()
        out.detach()
    return 1 if failed else 0
