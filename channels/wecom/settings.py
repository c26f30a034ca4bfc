"""WeCom (企业微信) channel settings: environment variables, overridden by credentials.yml."""

from __future__ import annotations

import base64
import binascii
import os
from dataclasses import dataclass, fields
from typing import Any, List, Mapping, Optional, Tuple

DEFAULT_API_BASE = "https://qyapi.weixin.qq.com"

# credentials.yml key -> environment variable
ENV_VARS = {
    "corp_id": "WECOM_CORP_ID",
    "agent_id": "WECOM_AGENT_ID",
    "secret": "WECOM_SECRET",
    "token": "WECOM_TOKEN",
    "aes_key": "WECOM_AES_KEY",
    "api_base": "WECOM_API_BASE",
}


@dataclass(frozen=True)
class WeComSettings:
    """Everything the connector needs to talk to one self-built app (自建应用)."""

    corp_id: str = ""
    agent_id: str = ""
    secret: str = ""
    token: str = ""
    aes_key: str = ""
    api_base: str = DEFAULT_API_BASE

    @classmethod
    def from_sources(
        cls,
        credentials: Optional[Mapping[str, Any]] = None,
        environ: Optional[Mapping[str, str]] = None,
    ) -> "WeComSettings":
        """Reads the env vars; a non-empty value in credentials.yml wins over env."""
        environ = os.environ if environ is None else environ
        credentials = credentials or {}
        values = {}
        for key, env_var in ENV_VARS.items():
            given = credentials.get(key)
            value = str(given).strip() if given not in (None, "") else ""
            values[key] = value or environ.get(env_var, "").strip()
        values["api_base"] = (values["api_base"] or DEFAULT_API_BASE).rstrip("/")
        return cls(**values)

    def problems(self) -> List[str]:
        """Human-readable reasons the channel cannot run; empty when it can."""
        return [reason for _, reason in self._problems()]

    def problem_env_vars(self) -> List[str]:
        """The environment variables to set or fix."""
        return [env_var for env_var, _ in self._problems()]

    def _problems(self) -> List[Tuple[str, str]]:
        problems = [
            (ENV_VARS[field.name], f"missing {ENV_VARS[field.name]}")
            for field in fields(self)
            if field.name != "api_base" and not getattr(self, field.name)
        ]
        if self.agent_id and not self.agent_id.isdigit():
            problems.append(
                ("WECOM_AGENT_ID", "WECOM_AGENT_ID must be the numeric AgentId")
            )
        if self.aes_key and not _is_valid_aes_key(self.aes_key):
            problems.append(
                (
                    "WECOM_AES_KEY",
                    "WECOM_AES_KEY must be the 43-character EncodingAESKey",
                )
            )
        if not self.api_base.startswith(("http://", "https://")):
            problems.append(
                ("WECOM_API_BASE", "WECOM_API_BASE must start with http:// or https://")
            )
        return problems

    @property
    def is_configured(self) -> bool:
        return not self.problems()

    @property
    def agent_id_number(self) -> int:
        return int(self.agent_id)


def _is_valid_aes_key(aes_key: str) -> bool:
    if len(aes_key) != 43:
        return False
    try:
        return len(base64.b64decode(aes_key + "=", validate=True)) == 32
    except (binascii.Error, ValueError):
        return False
