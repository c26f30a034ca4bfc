"""Recent failed logins per submitted user name, kept in memory.

The database counts failures of real accounts (and locks them); this counts
every name, so that a name with no account is slowed down and answered
exactly like a real one.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict, deque
from typing import Callable

from channels.dashboard.settings import LockoutPolicy

MAX_NAMES = 10_000


class FailureThrottle:
    def __init__(
        self,
        policy: LockoutPolicy,
        clock: Callable[[], float] = time.monotonic,
        max_names: int = MAX_NAMES,
    ) -> None:
        self.window_seconds = policy.lock_minutes * 60
        self._clock = clock
        self._max_names = max_names
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def failure(self, name: str) -> int:
        """Record a failure; returns the failures of that name within the window."""
        now = self._clock()
        with self._lock:
            times = self._failures.pop(name, None) or deque()
            while times and times[0] <= now - self.window_seconds:
                times.popleft()
            times.append(now)
            self._failures[name] = times
            while len(self._failures) > self._max_names:
                self._failures.popitem(last=False)
            return len(times)

    def clear(self, name: str) -> None:
        with self._lock:
            self._failures.pop(name, None)
