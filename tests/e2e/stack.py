"""Starts the real action server and Rasa server on free ports, for e2e tests and benchmarks."""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = ROOT / ".venv" / "bin"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def latest_model() -> Path:
    models = sorted((ROOT / "models").glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    if not models:
        raise RuntimeError(
            "no trained model in models/: run `make train` (make test does)"
        )
    return models[-1]


@dataclass
class Stack:
    workdir: Path
    extra_env: Dict[str, str] = field(default_factory=dict)
    # The channels `make run` serves (credentials.yml), so tests hit what trainees use.
    credentials: str = field(
        default_factory=lambda: (ROOT / "credentials.yml").read_text(encoding="utf-8")
    )
    rasa_port: int = field(default_factory=free_port)
    actions_port: int = field(default_factory=free_port)
    token: str = field(default_factory=lambda: secrets.token_hex(16))
    procs: List[subprocess.Popen] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    @property
    def records_url(self) -> str:
        return f"sqlite:///{self.workdir / 'records.db'}"

    @property
    def tracker_db(self) -> Path:
        return self.workdir / "tracker.db"

    def env(self) -> Dict[str, str]:
        env = dict(os.environ)
        env.update(
            PYTHONPATH=str(ROOT),
            RECORDS_DB_URL=self.records_url,
            TF_CPP_MIN_LOG_LEVEL="2",
            SQLALCHEMY_SILENCE_UBER_WARNING="1",
            RASA_TELEMETRY_ENABLED="false",
        )
        env.update(self.extra_env)
        return env

    def _spawn(self, name: str, args: List[str]) -> subprocess.Popen:
        log = open(self.workdir / f"{name}.log", "ab")
        proc = subprocess.Popen(
            args, cwd=ROOT, env=self.env(), stdout=log, stderr=subprocess.STDOUT
        )
        self.procs.append(proc)
        return proc

    def start_actions(self) -> None:
        self._spawn(
            "actions",
            [
                str(VENV_BIN / "rasa"),
                "run",
                "actions",
                "--actions",
                "actions",
                "--port",
                str(self.actions_port),
            ],
        )
        self._wait(f"http://127.0.0.1:{self.actions_port}/health", "action server")

    def start_rasa(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        endpoints = self.workdir / "endpoints.yml"
        endpoints.write_text(
            f'action_endpoint:\n  url: "http://127.0.0.1:{self.actions_port}/webhook"\n'
            f'tracker_store:\n  type: SQL\n  dialect: "sqlite"\n  db: "{self.tracker_db}"\n',
            encoding="utf-8",
        )
        credentials = self.workdir / "credentials.yml"
        credentials.write_text(self.credentials, encoding="utf-8")
        self._spawn(
            "rasa",
            [
                str(VENV_BIN / "rasa"),
                "run",
                "--enable-api",
                "--auth-token",
                self.token,
                "--port",
                str(self.rasa_port),
                "--interface",
                "127.0.0.1",
                "--model",
                str(latest_model()),
                "--endpoints",
                str(endpoints),
                "--credentials",
                str(credentials),
            ],
        )
        self._wait(f"{self.url}/status?token={self.token}", "rasa server", timeout=240)

    def start(self) -> "Stack":
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.start_actions()
        self.start_rasa()
        return self

    def stop(self) -> None:
        for proc in reversed(self.procs):
            proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
        self.procs.clear()

    def restart_actions(self) -> None:
        self._stop_proc(0)
        self.start_actions()

    def restart_rasa(self) -> None:
        self._stop_proc(-1)
        self.start_rasa()

    def _stop_proc(self, index: int) -> None:
        # procs holds [action server, rasa server] in start order.
        proc = self.procs.pop(index)
        proc.terminate()
        proc.wait(timeout=60)

    def _wait(self, url: str, what: str, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(p.poll() is not None for p in self.procs):
                raise RuntimeError(f"{what} exited early; see logs in {self.workdir}")
            try:
                with urllib.request.urlopen(url, timeout=2):
                    return
            except (urllib.error.URLError, ConnectionError, OSError):
                time.sleep(0.5)
        raise RuntimeError(f"{what} did not come up at {url} within {timeout}s")

    def post(
        self,
        path: str,
        payload: object,
        raw: Optional[bytes] = None,
        content_type: str = "application/json",
    ) -> tuple[int, bytes]:
        data = raw if raw is not None else json.dumps(payload).encode("utf-8")
        req = urllib.request.Request(
            self.url + path, data=data, headers={"Content-Type": content_type}
        )
        try:
            with urllib.request.urlopen(req, timeout=60) as resp:
                return resp.status, resp.read()
        except urllib.error.HTTPError as err:
            return err.code, err.read()

    def send(self, sender: str, message: str) -> List[dict]:
        status, body = self.post(
            "/webhooks/rest/webhook", {"sender": sender, "message": message}
        )
        assert status == 200, (status, body[:300])
        return json.loads(body)

    def parse(self, text: str) -> dict:
        status, body = self.post(f"/model/parse?token={self.token}", {"text": text})
        assert status == 200, (status, body[:300])
        return json.loads(body)

    def tracker(self, sender: str) -> dict:
        with urllib.request.urlopen(
            f"{self.url}/conversations/{sender}/tracker?token={self.token}", timeout=30
        ) as resp:
            return json.loads(resp.read())
