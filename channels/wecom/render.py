"""Rasa bot messages -> WeCom plain text: markdown stripped, buttons numbered, split
to WeCom's 2048-byte limit, and a numbered reply mapped back to its button."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Optional

MAX_TEXT_BYTES = 2048
BUTTONS_HEADER = "回复数字选择:"

_BOLD = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1", re.DOTALL)
_ITALIC = re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])")
_HEADING = re.compile(r"^[ \t]{0,3}#{1,6}[ \t]*", re.MULTILINE)
_CODE = re.compile(r"`([^`\n]*)`")
_LINK = re.compile(r"\[([^\]\n]+)\]\((\S+?)\)")
_CHOICE = re.compile(r"^(\d{1,3})[.、。)）]?$")

# Code points that belong to the character before them: never start a chunk with one.
_ZWJ = "\u200d"
_JOINERS = {_ZWJ, "\ufe0e", "\ufe0f"}


@dataclass
class RenderedTurn:
    """One Rasa turn as the text to send and the buttons the member may answer with."""

    text: str
    buttons: List[Dict[str, Any]] = field(default_factory=list)


def strip_markdown(text: str) -> str:
    """Plain text for the WeChat plugin, which shows markdown marks literally."""
    text = _LINK.sub(lambda match: f"{match.group(1)} {match.group(2)}", text)
    text = _BOLD.sub(r"\2", text)
    text = _ITALIC.sub(r"\1", text)
    text = _CODE.sub(r"\1", text)
    return _HEADING.sub("", text)


def render_buttons(buttons: Iterable[Dict[str, Any]], first_number: int = 1) -> str:
    lines = [BUTTONS_HEADER]
    for number, button in enumerate(buttons, start=first_number):
        lines.append(
            f"{number}. {strip_markdown(str(button.get('title', ''))).strip()}"
        )
    return "\n".join(lines)


def render_turn(messages: Iterable[Dict[str, Any]]) -> RenderedTurn:
    """Joins all bot messages of one turn into one text (one WeCom message when it
    fits); buttons are numbered across the whole turn."""
    parts: List[str] = []
    all_buttons: List[Dict[str, Any]] = []
    for message in messages:
        text = message.get("text")
        if text:
            parts.append(strip_markdown(str(text)).strip())
        for key in ("image", "attachment"):
            if message.get(key):
                parts.append(str(message[key]))
        custom = message.get("custom")
        if custom:
            parts.append(_render_custom(custom))
        buttons = [b for b in message.get("buttons") or [] if isinstance(b, dict)]
        if buttons:
            parts.append(render_buttons(buttons, first_number=len(all_buttons) + 1))
            all_buttons.extend(buttons)
    return RenderedTurn(text="\n\n".join(p for p in parts if p), buttons=all_buttons)


def _render_custom(custom: Any) -> str:
    # Structured payloads (the web widget's cards) repeat the message's text: skip them.
    if isinstance(custom, dict) and isinstance(custom.get("text"), str):
        return strip_markdown(custom["text"]).strip()
    return ""


def button_choice(reply: str, buttons: List[Dict[str, Any]]) -> Optional[str]:
    """The payload of the button a reply like "2", "２", "2." or "2、" picks, if any."""
    if not buttons:
        return None
    match = _CHOICE.match(unicodedata.normalize("NFKC", reply).strip())
    if not match:
        return None
    number = int(match.group(1))
    if not 1 <= number <= len(buttons):
        return None
    button = buttons[number - 1]
    payload = button.get("payload") or button.get("title")
    return str(payload) if payload else None


def split_utf8(text: str, max_bytes: int = MAX_TEXT_BYTES) -> List[str]:
    """Splits text into chunks of at most `max_bytes` UTF-8 bytes.

    Chunks end at line boundaries when a line fits, otherwise between characters
    (never inside one, nor before a joiner or combining mark); "".join(chunks) == text.
    """
    if max_bytes < 4:
        raise ValueError("max_bytes must hold at least one character")
    chunks: List[str] = []
    current: List[str] = []
    current_bytes = 0
    for line in text.splitlines(keepends=True):
        line_bytes = len(line.encode("utf-8"))
        if current_bytes + line_bytes <= max_bytes:
            current.append(line)
            current_bytes += line_bytes
            continue
        if current:
            chunks.append("".join(current))
            current, current_bytes = [], 0
        if line_bytes <= max_bytes:
            current, current_bytes = [line], line_bytes
            continue
        pieces = _split_long_line(line, max_bytes)
        chunks.extend(pieces[:-1])
        current = [pieces[-1]]
        current_bytes = len(pieces[-1].encode("utf-8"))
    if current:
        chunks.append("".join(current))
    return chunks


def _split_long_line(line: str, max_bytes: int) -> List[str]:
    pieces: List[str] = []
    start = 0
    size = 0
    for index, char in enumerate(line):
        char_bytes = len(char.encode("utf-8"))
        if size + char_bytes > max_bytes and index > start:
            cut = _safe_cut(line, start, index)
            pieces.append(line[start:cut])
            start = cut
            size = len(line[start:index].encode("utf-8"))
        size += char_bytes
    pieces.append(line[start:])
    return pieces


def _safe_cut(line: str, start: int, index: int) -> int:
    """Moves a cut left so a joiner/combining mark stays with its base character."""
    cut = index
    while cut > start + 1 and (
        _attaches_to_previous(line[cut]) or line[cut - 1] == _ZWJ
    ):
        cut -= 1
    return cut


def _attaches_to_previous(char: str) -> bool:
    return char in _JOINERS or unicodedata.combining(char) != 0


def split_for_wecom(text: str, max_bytes: int = MAX_TEXT_BYTES) -> List[str]:
    """Chunks ready to send: surrounding blank lines trimmed, empty chunks dropped."""
    return [chunk.strip() for chunk in split_utf8(text, max_bytes) if chunk.strip()]
