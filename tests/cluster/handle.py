"""The running cluster as the tests see it: URLs, secrets and the fault commands."""

from __future__ import annotations

import asyncio
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Dict

from benchmarks.load_test import check_local, read_env_file

ROOT = Path(__file__).resolve().parents[2]
CLUSTER_SCRIPT = ROOT / "scripts" / "cluster.sh"


@dataclass
class ClusterHandle:
    env: Dict[str, str]
    env_file: Path

    @classmethod
    def from_env_file(cls, path: Path) -> "ClusterHandle":
        env = read_env_file(path)
        for key, value in env.items():
            if key.endswith("_URL") and value.startswith("http"):
                check_local(value)
        return cls(env=env, env_file=path)

    @property
    def url(self) -> str:
        """nginx in front of the replicas: what trainees use."""
        return self.env["CLUSTER_URL"]

    @property
    def tracker_db_url(self) -> str:
        return self.env["TRACKER_DB_URL"]

    @property
    def records_db_url(self) -> str:
        return self.env["RECORDS_DB_URL"]

    def replica_url(self, n: int) -> str:
        return self.env[f"RASA{n}_URL"]

    def _command(self, action: str, service: str) -> list:
        return ["bash", str(CLUSTER_SCRIPT), action, service]

    def _script_env(self) -> Dict[str, str]:
        # The directory and ports this cluster was started with (cluster.env keeps them).
        env = dict(os.environ)
        env.update({k: v for k, v in self.env.items() if k.startswith("CLUSTER_")})
        return env

    def run(self, action: str, service: str, timeout: float = 900) -> None:
        """`scripts/cluster.sh ACTION SERVICE` on this cluster."""
        subprocess.run(
            self._command(action, service),
            check=True,
            timeout=timeout,
            env=self._script_env(),
        )

    async def arun(self, action: str, service: str, timeout: float = 900) -> None:
        process = await asyncio.create_subprocess_exec(
            *self._command(action, service), env=self._script_env()
        )
        code = await asyncio.wait_for(process.wait(), timeout)
        if code != 0:
            raise RuntimeError(f"cluster.sh {action} {service} exited with {code}")
