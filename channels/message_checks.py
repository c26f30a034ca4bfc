"""What every chat channel checks in a trainee's message, and the sentences it answers with.

Shared by the REST channel (channels/rest.py) and the socket.io channel (channels/socketio.py),
so a message is refused for the same reasons, with the same words, whichever way it came.
"""

from __future__ import annotations

import re
import time
from typing import Any, Callable, Dict, Optional, Tuple

# A trainee answers in a sentence or two; NLU and scoring of 1,000 characters take ~0.1 s,
# of 100 KB over 10 s during which the replica serves nobody else.
MAX_MESSAGE_CHARS = 1000
MAX_MESSAGE_ID_CHARS = 64
# C0 controls (NUL cannot even be stored in PostgreSQL text) except tab and newline, and
# lone UTF-16 surrogates ("\ud800" is valid JSON but not encodable as UTF-8).
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff]")
# Per sender and replica: a person types a sentence every few seconds; a script flooding one
# conversation would make every turn of it slower (Rasa reloads the whole session each turn).
RATE_PER_SECOND = 2.0
RATE_BURST = 20

NOT_READY_TEXT = "陪练服务正在启动,请稍后再发送。"
TOO_FAST_TEXT = "发送太快了,请稍等几秒再发。"
UNAVAILABLE_TEXT = "服务暂时不可用,这条消息没有处理完,请稍后重新发送。"


class RequestProblem(Exception):
    """A message the channel refuses, with its HTTP status and a message for people."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def clean_text(value: str) -> str:
    """The text without control characters; raises RequestProblem when empty or too long."""
    text = _CONTROL_CHARS.sub("", value).strip()
    if not text:
        raise RequestProblem(400, "empty_message", "消息是空的,请输入要说的话。")
    if len(text) > MAX_MESSAGE_CHARS:
        raise RequestProblem(
            413,
            "message_too_long",
            f"消息太长了({len(text)} 字),请控制在 {MAX_MESSAGE_CHARS} 字以内,一两句话即可。",
        )
    return text


def check_message_id(value: Any) -> Optional[str]:
    """A client's id of its message (None when it sent none); raises RequestProblem if bad."""
    if value is None:
        return None
    if not isinstance(value, str) or not 0 < len(value) <= MAX_MESSAGE_ID_CHARS:
        raise RequestProblem(
            400,
            "invalid_message_id",
            f"message_id 必须是不超过 {MAX_MESSAGE_ID_CHARS} 个字符的字符串。",
        )
    return value


class SenderRateLimiter:
    """Token bucket per sender: `burst` messages at once, then `rate` per second."""

    def __init__(
        self,
        rate: float = RATE_PER_SECOND,
        burst: int = RATE_BURST,
        clock: Callable[[], float] = time.monotonic,
        max_senders: int = 50_000,
    ) -> None:
        self.rate = rate
        self.burst = burst
        self.clock = clock
        self.max_senders = max_senders
        self._buckets: Dict[str, Tuple[float, float]] = {}

    def allow(self, sender: str) -> bool:
        now = self.clock()
        tokens, last = self._buckets.get(sender, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - last) * self.rate)
        allowed = tokens >= 1.0
        self._buckets[sender] = (tokens - 1.0 if allowed else tokens, now)
        if len(self._buckets) > self.max_senders:
            self._forget_full_buckets(now)
        return allowed

    def _forget_full_buckets(self, now: float) -> None:
        # A bucket that has refilled is the same as no bucket.
        refill = self.burst / self.rate
        self._buckets = {
            sender: (tokens, last)
            for sender, (tokens, last) in self._buckets.items()
            if now - last < refill
        }
