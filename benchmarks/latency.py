"""Latency through the real servers: `/model/parse` and full practice turns over REST.

Starts its own action server and Rasa server (tests.e2e.stack) on free ports, so it measures
what a trainee would see on this machine, HTTP included.
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import List

from tests.e2e.stack import Stack

PARSE_LINES = [
    "能不能便宜点",
    "隔壁那家比你们便宜两百",
    "有没有索菲亚的衣柜",
    "我就随便看看",
    "这个沙发是真皮的吗",
    "我想买个床垫送我爸妈",
    "我再考虑考虑吧",
    "就要这个,怎么付钱",
    "上个月买的柜子门关不上",
    "我等了半天都没人理",
    "你们多久能送货安装",
    "我之前在你们这买过餐桌",
]


def percentile(values: List[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def summary(name: str, samples_ms: List[float]) -> str:
    return (
        f"{name}: n={len(samples_ms)} p50={statistics.median(samples_ms):.1f} ms "
        f"p95={percentile(samples_ms, 95):.1f} ms p99={percentile(samples_ms, 99):.1f} ms "
        f"max={max(samples_ms):.1f} ms"
    )


class Client:
    """One keep-alive HTTP connection, as a browser or the widget would hold."""

    def __init__(self, port: int):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def post(self, path: str, payload: dict) -> tuple[float, object]:
        body = json.dumps(payload).encode()
        start = time.perf_counter()
        self.conn.request("POST", path, body, {"Content-Type": "application/json"})
        resp = self.conn.getresponse()
        data = json.loads(resp.read())
        elapsed = (time.perf_counter() - start) * 1000
        if resp.status != 200:
            raise RuntimeError(f"{path} → {resp.status}: {data}")
        return elapsed, data


def bench_parse(stack: Stack, rounds: int) -> List[float]:
    client = Client(stack.rasa_port)
    for line in PARSE_LINES:  # warm-up
        client.post(f"/model/parse?token={stack.token}", {"text": line})
    return [
        client.post(
            f"/model/parse?token={stack.token}",
            {"text": PARSE_LINES[i % len(PARSE_LINES)]},
        )[0]
        for i in range(rounds)
    ]


def bench_turns(
    stack: Stack, plays: int, scenario_id: str, replies: List[str]
) -> List[float]:
    client = Client(stack.rasa_port)
    samples: List[float] = []
    for n in range(plays):
        sender = f"bench-{n}-{time.time_ns()}"
        start = "/start_practice" + json.dumps({"scenario_id": scenario_id})
        samples.append(
            client.post("/webhooks/rest/webhook", {"sender": sender, "message": start})[
                0
            ]
        )
        for reply in replies:
            samples.append(
                client.post(
                    "/webhooks/rest/webhook", {"sender": sender, "message": reply}
                )[0]
            )
    return samples


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--parse-rounds", type=int, default=300)
    parser.add_argument("--plays", type=int, default=20)
    parser.add_argument("--scenario", default="bargain_sofa")
    opts = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        stack = Stack(workdir=Path(tmp)).start()
        try:
            print(
                summary("/model/parse over HTTP", bench_parse(stack, opts.parse_rounds))
            )
            replies = [
                "您好,欢迎光临!实在对不起,我们是统一定价的,价格已经一步到位,没有降价空间了," "我们卖的是名牌产品,售后服务有保障。",
                "嗯嗯好的",
                "对不起,这个确实不能便宜,但是质量和售后都有保障,您放心。",
            ]
            print(
                summary(
                    f"practice turn over REST ({opts.scenario})",
                    bench_turns(stack, opts.plays, opts.scenario, replies),
                )
            )
        finally:
            stack.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
