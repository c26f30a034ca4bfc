"""Trainee page speed and weight: time until the scenario picker is usable, and bundle sizes.

* page usable: navigation start -> the picker's cards are drawn and clickable (the widget's
  ``dg-picker-ready`` performance mark), for a returning trainee (token remembered), in
  Debian's chromium on localhost; the first-visit sign-in form is timed too. Median and max
  over ``--runs`` fresh page loads (new browser context each, so nothing is cached).
* weight: web/dist/widget.js + widget.css gzipped (what the page needs; charts.js is loaded
  only when a report or history chart is drawn).

Starts its own servers (tests.e2e.stack) unless ``--url`` points at running ones.

    .venv/bin/python -m benchmarks.web_benchmark [--runs 7] [--url http://127.0.0.1:5005]
"""

from __future__ import annotations

import argparse
import gzip
import json
import secrets
import statistics
import sys
import tempfile
import urllib.request
import uuid
from pathlib import Path
from typing import List, Optional

from tests.browser.chromium import PHONE, launch
from tests.e2e.stack import ROOT, Stack

DIST = ROOT / "web" / "dist"
USABLE_BUDGET_MS = 1000
WIDGET_BUDGET_BYTES = 300 * 1024


def gzipped_size(path: Path) -> int:
    return len(gzip.compress(path.read_bytes(), 9))


def bundle_sizes() -> dict:
    sizes = {}
    for name in ("widget.js", "widget.css", "charts.js"):
        path = DIST / name
        if not path.exists():
            raise SystemExit(f"{path} missing: cd web && npm ci && npm run build")
        sizes[name] = (path.stat().st_size, gzipped_size(path))
    return sizes


def login(base_url: str) -> dict:
    staff_no = "BENCH" + uuid.uuid4().hex[:6].upper()
    request = urllib.request.Request(
        f"{base_url}/web/api/login",
        data=json.dumps({"staff_no": staff_no, "name": "测速"}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as resp:
        return json.loads(resp.read())


def time_mark(browser, url: str, mark: str, identity: Optional[dict]) -> float:
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    if identity is not None:
        context.add_init_script(
            f"localStorage.setItem('daogou.trainee', {json.dumps(json.dumps(identity))});"
        )
    page = context.new_page()
    try:
        page.goto(url)
        # Function syntax: the page's CSP forbids eval of a plain expression.
        page.wait_for_function(
            "(name) => performance.getEntriesByName(name).length > 0",
            arg=mark,
            timeout=30_000,
        )
        return page.evaluate(
            "(name) => performance.getEntriesByName(name)[0].startTime", mark
        )
    finally:
        context.close()


def measure(base_url: str, runs: int) -> dict:
    from playwright.sync_api import sync_playwright

    identity = login(base_url)
    with sync_playwright() as playwright:
        browser = launch(playwright)
        page_url = f"{base_url}/web/"
        time_mark(browser, page_url, "dg-picker-ready", identity)  # server warm-up
        picker: List[float] = [
            time_mark(browser, page_url, "dg-picker-ready", identity)
            for _ in range(runs)
        ]
        sign_in: List[float] = [
            time_mark(browser, page_url, "dg-login-ready", None) for _ in range(runs)
        ]
        browser.close()
    return {"picker": picker, "sign_in": sign_in}


def report(times: dict, sizes: dict) -> bool:
    ok = True
    for label, key in (
        ("scenario picker usable", "picker"),
        ("sign-in form", "sign_in"),
    ):
        samples = times[key]
        median = statistics.median(samples)
        verdict = "OK" if median <= USABLE_BUDGET_MS else "OVER BUDGET"
        ok &= median <= USABLE_BUDGET_MS
        print(
            f"{label}: median {median:.0f} ms, max {max(samples):.0f} ms "
            f"(n={len(samples)}, budget {USABLE_BUDGET_MS} ms) {verdict}"
        )
    widget = sizes["widget.js"][1] + sizes["widget.css"][1]
    for name, (raw, packed) in sizes.items():
        print(f"{name}: {raw / 1024:.1f} KB, {packed / 1024:.1f} KB gzipped")
    verdict = "OK" if widget <= WIDGET_BUDGET_BYTES else "OVER BUDGET"
    ok &= widget <= WIDGET_BUDGET_BYTES
    print(
        f"widget bundle without charts (widget.js + widget.css): "
        f"{widget / 1024:.1f} KB gzipped (budget 300 KB) {verdict}"
    )
    return ok


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--url", help="running server (default: start one)")
    args = parser.parse_args(argv)
    sizes = bundle_sizes()
    if args.url:
        times = measure(args.url.rstrip("/"), args.runs)
    else:
        with tempfile.TemporaryDirectory() as workdir:
            stack = Stack(
                workdir=Path(workdir),
                extra_env={"WEB_SECRET": secrets.token_urlsafe(24)},
            ).start()
            try:
                times = measure(stack.url, args.runs)
            finally:
                stack.stop()
    return 0 if report(times, sizes) else 1


if __name__ == "__main__":
    sys.exit(main())
