"""Trainer dashboard (培训师后台): `channels.dashboard.DashboardInput` in credentials.yml.

``python -m channels.dashboard`` manages trainer accounts. The Rasa channel is
imported lazily so that the account commands start without loading Rasa.
"""

from typing import Any

__all__ = ["DashboardInput"]


def __getattr__(name: str) -> Any:
    if name == "DashboardInput":
        from channels.dashboard.channel import DashboardInput

        return DashboardInput
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
