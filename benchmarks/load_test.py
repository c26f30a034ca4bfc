"""Load test: N simulated trainees play whole scenarios over REST and socket.io.

Measures one Rasa replica (straight to its port) and the cluster (through nginx) in the same run,
prints throughput, turn latency p50/p95/p99 and errors per target and transport, then checks the
tracker store and the records: every message once, in order, every scored reply recorded once.

    .venv/bin/python -m benchmarks.load_test --env-file var/cluster/cluster.env \\
        --trainees 50 --scenarios 2 --targets replica,cluster

Only 127.0.0.1 targets are accepted; every loop is bounded in count and in time.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Sequence
from urllib.parse import urlparse

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
from benchmarks.load_verify import Verdict, verify

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


def read_env_file(path: Path) -> Dict[str, str]:
    values: Dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            values[key.strip()] = value.strip().strip('"')
    return values


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100); 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, min(len(ordered), int(-(-q * len(ordered) // 100))))
    return ordered[rank - 1]


@dataclass
class PhaseResult:
    target: str
    url: str
    seconds: float
    logs: List[TraineeLog]
    cpu_seconds: Dict[str, float] = field(default_factory=dict)
    verdict: Optional[Verdict] = None
    notes: List[str] = field(default_factory=list)

    def rows(self) -> List[str]:
        lines = []
        for transport in sorted({log.transport for log in self.logs}) + ["all"]:
            logs = [
                log
                for log in self.logs
                if transport == "all" or log.transport == transport
            ]
            lat = [x for log in logs for x in log.latencies_ms]
            errors: Dict[str, int] = {}
            for log in logs:
                for kind, count in log.errors.items():
                    errors[kind] = errors.get(kind, 0) + count
            lines.append(
                f"{self.target:<8} {transport:<9} {len(logs):>4} {len(lat):>6} "
                f"{len(lat) / self.seconds:>7.2f} {percentile(lat, 50):>7.0f} "
                f"{percentile(lat, 95):>7.0f} {percentile(lat, 99):>7.0f} "
                f"{max(lat, default=0):>7.0f} {sum(errors.values()):>6} "
                f"{sum(log.resends for log in logs):>7} "
                f"{sum(log.scenarios_finished for log in logs):>5} "
                f"{','.join(f'{k}={v}' for k, v in sorted(errors.items())) or '-'}"
            )
        return lines

    @property
    def latencies(self) -> List[float]:
        return [x for log in self.logs for x in log.latencies_ms]

    @property
    def error_count(self) -> int:
        return sum(sum(log.errors.values()) for log in self.logs)


HEADER = (
    f"{'target':<8} {'transport':<9} {'usr':>4} {'turns':>6} {'turns/s':>7} "
    f"{'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'max ms':>7} {'errors':>6} "
    f"{'resends':>7} {'plays':>5} error kinds"
)


def cluster_cpu_seconds(env: Dict[str, str]) -> Dict[str, float]:
    """CPU seconds used so far by each Rasa replica and action server (from /proc).

    Per-turn CPU does not depend on what else the machine runs, unlike latency, so it tells
    how many turns a core can carry.
    """
    run = Path(env.get("CLUSTER_DIR", "var/cluster")) / "run"
    ticks = os.sysconf("SC_CLK_TCK")
    used: Dict[str, float] = {}
    for pid_file in sorted(run.glob("*.pid")):
        try:
            pid = int(pid_file.read_text().strip())
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, ValueError):
            continue
        used[pid_file.stem] = (int(fields[11]) + int(fields[12])) / ticks
    return used


async def warm_up(env: Dict[str, str], scenarios: dict, run_id: str) -> None:
    """One short play per replica, unmeasured: the first turns of a fresh process are slow."""
    urls = [
        v for k, v in sorted(env.items()) if k.startswith("RASA") and k.endswith("_URL")
    ]
    async with aiohttp.ClientSession() as session:
        for n, url in enumerate(urls):
            check_local(url)
            log = TraineeLog(sender=f"W{run_id}{n}".upper(), transport="rest")
            transport = RestTransport(session, url, log.sender, log)
            trainee = Trainee(
                transport, log, scenarios, PlayStyle(think_seconds=0), random.Random(n)
            )
            try:
                await trainee.play(sorted(scenarios)[0], time.monotonic() + 300)
            except TurnFailed as failure:
                print(f"  warm-up of {url} failed: {failure}", flush=True)


def check_local(url: str) -> str:
    host = urlparse(url).hostname
    if host not in LOCAL_HOSTS:
        raise SystemExit(f"load test only runs against 127.0.0.1, not {url}")
    return url


async def run_trainee(
    index: int,
    target: str,
    url: str,
    transport_name: str,
    run_id: str,
    opts: argparse.Namespace,
    session: aiohttp.ClientSession,
    scenario_ids: List[str],
    scenarios: dict,
    deadline: float,
) -> TraineeLog:
    # Staff-number shaped (the web login accepts A-Z, 0-9, '-', '_', up to 32).
    code = target[-1] if target.startswith("rasa") else target[0]
    sender = f"L{run_id}{code}{transport_name[0]}{index:03d}".upper()
    log = TraineeLog(sender=sender, transport=transport_name)
    rng = random.Random(f"{opts.seed}-{target}-{index}")
    if transport_name == "rest":
        transport = RestTransport(session, url, sender, log, timeout=opts.turn_timeout)
    else:
        transport = SocketIOTransport(
            session, url, sender, log, opts.turn_timeout, login=opts.socketio_login
        )
    style = PlayStyle(
        bad_rate=opts.bad_rate,
        hint_rate=opts.hint_rate,
        exam_rate=opts.exam_rate,
        think_seconds=opts.think or 0.0,
        typing_cps=None if opts.think is not None else opts.typing_cps,
    )
    trainee = Trainee(transport, log, scenarios, style, rng)
    # Trainees do not all arrive in the same millisecond.
    await asyncio.sleep(rng.uniform(0, opts.ramp))
    try:
        await transport.open()
        for _ in range(opts.scenarios):
            if time.monotonic() > deadline:
                log.error(TurnFailed("time_limit", "no time left for another scenario"))
                break
            try:
                await trainee.play(rng.choice(scenario_ids), deadline)
            except TurnFailed as failure:
                log.error(failure)
                if failure.kind.startswith("socketio") or failure.kind == "time_limit":
                    break
            await trainee.think()
    except TurnFailed as failure:
        log.error(failure)
    finally:
        await transport.close()
    return log


async def run_phase(
    target: str,
    url: str,
    opts: argparse.Namespace,
    run_id: str,
    scenarios: dict,
) -> PhaseResult:
    scenario_ids = sorted(opts.scenario_ids or scenarios)
    transports = [
        "socketio" if i < round(opts.trainees * opts.socketio_share) else "rest"
        for i in range(opts.trainees)
    ]
    deadline = time.monotonic() + opts.max_seconds
    connector = aiohttp.TCPConnector(limit=opts.trainees + 10)
    started = time.monotonic()
    async with aiohttp.ClientSession(connector=connector) as session:
        logs = await asyncio.gather(
            *(
                run_trainee(
                    i,
                    target,
                    url,
                    transports[i],
                    run_id,
                    opts,
                    session,
                    scenario_ids,
                    scenarios,
                    deadline,
                )
                for i in range(opts.trainees)
            )
        )
    return PhaseResult(target, url, time.monotonic() - started, list(logs))


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--env-file", type=Path, default=Path("var/cluster/cluster.env")
    )
    parser.add_argument("--targets", default="replica,cluster")
    parser.add_argument("--trainees", type=int, default=50)
    parser.add_argument("--scenarios", type=int, default=2, help="per trainee")
    parser.add_argument("--scenario-ids", nargs="*", default=None)
    parser.add_argument("--socketio-share", type=float, default=0.2)
    parser.add_argument(
        "--typing-cps",
        type=float,
        default=3.0,
        help="pace of a person: a message is sent after typing it at this many characters "
        "a second, plus 1-3 s to react (3/s = 180 a minute, faster than most phone typing)",
    )
    parser.add_argument(
        "--think",
        type=float,
        default=None,
        help="stress run: a fixed mean pause (±50%%) between turns instead of typing time",
    )
    parser.add_argument("--ramp", type=float, default=5.0, help="arrival spread, s")
    parser.add_argument("--bad-rate", type=float, default=0.25)
    parser.add_argument("--hint-rate", type=float, default=0.1)
    parser.add_argument("--exam-rate", type=float, default=0.2)
    parser.add_argument("--turn-timeout", type=float, default=120.0)
    parser.add_argument("--max-seconds", type=float, default=900.0, help="per target")
    parser.add_argument(
        "--stock-socketio",
        dest="socketio_login",
        action="store_false",
        help="Rasa's stock socket.io channel (no login; sender = socket id)",
    )
    parser.add_argument("--seed", default="load")
    parser.add_argument("--no-verify", action="store_true")
    parser.add_argument(
        "--max-p95-ms",
        type=float,
        default=None,
        help="fail (exit 1) when the replica's p95 is above this",
    )
    opts = parser.parse_args(argv)
    if not 1 <= opts.trainees <= 500 or not 1 <= opts.scenarios <= 50:
        parser.error("--trainees 1..500, --scenarios 1..50")
    return opts


def pace(opts: argparse.Namespace) -> str:
    if opts.think is not None:
        return f"fixed pause {opts.think:g} s (±50%) between turns"
    return f"typing at {opts.typing_cps:g} characters/s + 1-3 s to react"


def target_url(env: Dict[str, str], target: str) -> str:
    key = {"replica": "RASA1_URL", "cluster": "CLUSTER_URL"}.get(target)
    if target.startswith("rasa") and target[4:].isdigit():
        key = f"RASA{target[4:]}_URL"  # one particular replica
    if key is None or key not in env:
        raise SystemExit(f"unknown target {target!r} (replica, cluster, rasa1, rasa2…)")
    return check_local(env[key])


async def main_async(opts: argparse.Namespace) -> int:
    env = read_env_file(opts.env_file)
    scenarios = load_scenarios().scenarios
    run_id = uuid.uuid4().hex[:6]
    targets = [t.strip() for t in opts.targets.split(",") if t.strip()]
    print(
        f"load test {run_id}: {opts.trainees} trainees × {opts.scenarios} scenario(s) "
        f"per target, {opts.socketio_share:.0%} over socket.io, {pace(opts)}, "
        f"bad replies {opts.bad_rate:.0%}, hints "
        f"{opts.hint_rate:.0%}, exams {opts.exam_rate:.0%}",
        flush=True,
    )
    await warm_up(env, scenarios, run_id)
    results = []
    for target in targets:
        url = target_url(env, target)
        print(f"→ {target}: {url}", flush=True)
        cpu_before = cluster_cpu_seconds(env)
        result = await run_phase(target, url, opts, run_id, scenarios)
        cpu_after = cluster_cpu_seconds(env)
        result.cpu_seconds = {
            name: cpu_after[name] - cpu_before[name]
            for name in cpu_after
            if name in cpu_before
        }
        if not opts.no_verify:
            result.verdict = verify(
                result.logs, env["TRACKER_DB_URL"], env["RECORDS_DB_URL"]
            )
        results.append(result)
    print_report(results)
    return exit_code(results, opts)


def print_report(results: List[PhaseResult]) -> None:
    print()
    print(HEADER)
    for result in results:
        for row in result.rows():
            print(row)
    for result in results:
        print(f"\n[{result.target}] {result.seconds:.0f} s wall time")
        turns = len(result.latencies)
        if result.cpu_seconds and turns:
            spent = ", ".join(
                f"{name} {seconds:.1f} s"
                for name, seconds in result.cpu_seconds.items()
            )
            rasa = sum(v for k, v in result.cpu_seconds.items() if k.startswith("rasa"))
            actions = sum(
                v for k, v in result.cpu_seconds.items() if k.startswith("actions")
            )
            print(
                f"  CPU per turn: Rasa {1000 * rasa / turns:.0f} ms, action servers "
                f"{1000 * actions / turns:.0f} ms ({spent})"
            )
        samples = [s for log in result.logs for s in log.error_samples][:5]
        for sample in samples:
            print(f"  error: {sample}")
        if result.verdict is not None:
            print(result.verdict.summary())


def exit_code(results: List[PhaseResult], opts: argparse.Namespace) -> int:
    failed = False
    for result in results:
        if result.error_count or (result.verdict and not result.verdict.ok):
            failed = True
        if (
            opts.max_p95_ms is not None
            and result.target == "replica"
            and percentile(result.latencies, 95) > opts.max_p95_ms
        ):
            print(
                f"✘ replica p95 {percentile(result.latencies, 95):.0f} ms > "
                f"{opts.max_p95_ms:.0f} ms"
            )
            failed = True
    print("\nRESULT:", "FAIL" if failed else "PASS")
    return 1 if failed else 0


def main(argv: Optional[List[str]] = None) -> int:
    return asyncio.run(main_async(parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
