"""Trainees playing scenarios while a fault happens, and what they saw."""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from dataclasses import dataclass
from typing import Awaitable, Callable, Dict, List, Optional

import aiohttp

from actions.scenarios import load_scenarios
from benchmarks.load_clients import (
    PlayStyle,
    RestTransport,
    SocketIOTransport,
    Trainee,
    TraineeLog,
    TurnFailed,
)
from benchmarks.load_test import percentile
from benchmarks.load_verify import Verdict, verify
from tests.cluster.handle import ClusterHandle

Fault = Callable[[], Awaitable[None]]
MAX_SCENARIOS = 30


@dataclass
class TrafficResult:
    logs: List[TraineeLog]
    verdict: Verdict
    fault_seconds: float

    @property
    def turns(self) -> int:
        return sum(len(log.latencies_ms) for log in self.logs)

    @property
    def errors(self) -> Dict[str, int]:
        total: Dict[str, int] = {}
        for log in self.logs:
            for kind, count in log.errors.items():
                total[kind] = total.get(kind, 0) + count
        return total

    @property
    def resends(self) -> int:
        return sum(log.resends for log in self.logs)

    @property
    def scenarios_finished(self) -> int:
        return sum(log.scenarios_finished for log in self.logs)

    def summary(self) -> str:
        latencies = [x for log in self.logs for x in log.latencies_ms]
        errors = ", ".join(f"{k}={v}" for k, v in sorted(self.errors.items()))
        return (
            f"{len(self.logs)} trainees, {self.turns} turns, "
            f"{self.scenarios_finished} scenarios finished, {self.resends} resends, "
            f"errors: {errors or 'none'}; turn latency p50 "
            f"{percentile(latencies, 50):.0f} ms, p95 {percentile(latencies, 95):.0f} ms, "
            f"max {max(latencies, default=0):.0f} ms; fault took {self.fault_seconds:.1f} s"
        )

    def samples(self) -> List[str]:
        return [s for log in self.logs for s in log.error_samples][:5]


async def play_through_fault(
    cluster: ClusterHandle,
    fault: Optional[Fault],
    *,
    trainees: int = 8,
    scenarios: int = 2,
    socketio: int = 2,
    think: float = 1.0,
    fault_after: float = 5.0,
    deadline_seconds: float = 420.0,
    url: Optional[str] = None,
) -> TrafficResult:
    """`trainees` (the first `socketio` of them over socket.io) play while `fault` runs.

    Each plays at least `scenarios` scenarios and keeps playing until the fault is over (at
    most MAX_SCENARIOS), so every fault happens in the middle of conversations.
    """
    library = load_scenarios().scenarios
    ids = sorted(library)
    run_id = uuid.uuid4().hex[:6].upper()
    deadline = time.monotonic() + deadline_seconds
    style = PlayStyle(think_seconds=think)
    target = url or cluster.url
    fault_seconds = 0.0
    fault_done = asyncio.Event()

    async def one(index: int, session: aiohttp.ClientSession) -> TraineeLog:
        kind = "socketio" if index < socketio else "rest"
        log = TraineeLog(
            sender=f"F{run_id}{kind[0]}{index:02d}".upper(), transport=kind
        )
        rng = random.Random(f"{run_id}-{index}")
        if kind == "rest":
            transport = RestTransport(session, target, log.sender, log, timeout=120)
        else:
            transport = SocketIOTransport(session, target, log.sender, log, timeout=120)
        trainee = Trainee(transport, log, library, style, rng)
        await asyncio.sleep(rng.uniform(0, 1.5))
        try:
            await transport.open()
            played = 0
            while played < MAX_SCENARIOS and (
                played < scenarios or not fault_done.is_set()
            ):
                played += 1
                try:
                    await trainee.play(rng.choice(ids), deadline)
                except TurnFailed as failure:
                    log.error(failure)
        except TurnFailed as failure:
            log.error(failure)
        finally:
            await transport.close()
        return log

    async def inject() -> None:
        nonlocal fault_seconds
        try:
            if fault is not None:
                await asyncio.sleep(fault_after)
                started = time.monotonic()
                await fault()
                fault_seconds = time.monotonic() - started
        finally:
            fault_done.set()

    async with aiohttp.ClientSession() as session:
        players = asyncio.gather(*(one(i, session) for i in range(trainees)))
        _, logs = await asyncio.gather(inject(), players)
    verdict = verify(logs, cluster.tracker_db_url, cluster.records_db_url)
    return TrafficResult(list(logs), verdict, fault_seconds)
