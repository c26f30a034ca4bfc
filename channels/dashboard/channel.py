"""`channels.dashboard.DashboardInput` in credentials.yml: serves /dashboard/… from `rasa run`.

It is an input channel only so that Rasa mounts its blueprint; it never hands a
message to the bot.
"""

from __future__ import annotations

from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint

from channels.dashboard.settings import DashboardSettings
from channels.dashboard.views import PREFIX, Dashboard


class DashboardInput(InputChannel):
    @classmethod
    def name(cls) -> Text:
        return "dashboard"

    @classmethod
    def from_credentials(
        cls, credentials: Optional[Dict[Text, Any]]
    ) -> "DashboardInput":
        return cls(DashboardSettings.from_sources(credentials))

    def __init__(self, settings: Optional[DashboardSettings] = None) -> None:
        self.dashboard = Dashboard(settings or DashboardSettings.from_sources())

    def url_prefix(self) -> Text:
        # Absolute, so Rasa's urljoin("/webhooks/", …) gives /dashboard, not /webhooks/….
        return PREFIX

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
        return self.dashboard.blueprint()
