"""Fixtures for the tests against the running cluster (scripts/cluster.sh).

They run only when CLUSTER_ENV_FILE names the cluster's env file (scripts/test_cluster.sh sets
it); elsewhere, e.g. in `make test`'s unit step, they are skipped. Each fault test adds what it
saw to the fault report, printed at the end of the run and written next to the env file.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import List

import pytest

from tests.cluster.handle import ClusterHandle

ENV_VAR = "CLUSTER_ENV_FILE"
_report: List[str] = []


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "cluster: needs the running cluster of scripts/cluster.sh (scripts/test_cluster.sh)",
    )


@pytest.fixture(scope="session")
def cluster() -> ClusterHandle:
    env_file = os.environ.get(ENV_VAR)
    if not env_file:
        pytest.skip(f"no cluster: set {ENV_VAR} (scripts/test_cluster.sh does)")
    path = Path(env_file)
    if not path.is_file():
        pytest.fail(f"{ENV_VAR}={env_file} does not exist: is the cluster up?")
    return ClusterHandle.from_env_file(path)


@pytest.fixture
def report(request: pytest.FixtureRequest):
    """report(line): one line of what this test saw, for the fault report."""
    title = request.node.name

    def add(line: str) -> None:
        _report.append(f"[{title}] {line}")

    return add


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    if not _report:
        return
    terminalreporter.section("fault and bad-input report")
    for line in _report:
        terminalreporter.write_line(line)
    env_file = os.environ.get(ENV_VAR)
    if env_file:
        target = Path(env_file).with_name("fault_report.txt")
        target.write_text("\n".join(_report) + "\n", encoding="utf-8")
        terminalreporter.write_line(f"(written to {target})")
