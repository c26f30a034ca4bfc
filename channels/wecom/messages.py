"""Decrypted WeCom callback messages (plaintext XML) as small typed objects."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Optional, Union

from channels.wecom.crypto import MalformedCallbackError, parse_xml

ENTER_AGENT_EVENT = "enter_agent"


@dataclass(frozen=True)
class IncomingMessage:
    """One message or event a member sent to the app."""

    from_user: str
    msg_type: str
    create_time: str
    msg_id: Optional[str] = None
    content: str = ""
    event: str = ""
    agent_id: str = ""

    @property
    def is_text(self) -> bool:
        return self.msg_type == "text"

    @property
    def is_enter_agent(self) -> bool:
        return self.msg_type == "event" and self.event == ENTER_AGENT_EVENT

    @property
    def dedupe_key(self) -> str:
        """MsgId when WeCom gives one; events have none, so sender + time + event."""
        if self.msg_id:
            return f"msg:{self.msg_id}"
        return f"event:{self.from_user}:{self.create_time}:{self.event}"


def parse_message(plaintext_xml: Union[str, bytes]) -> IncomingMessage:
    """Reads the fields the trainer uses; raises MalformedCallbackError otherwise."""
    root = parse_xml(plaintext_xml)
    from_user = _text(root, "FromUserName")
    msg_type = _text(root, "MsgType")
    if not from_user or not msg_type:
        raise MalformedCallbackError("missing FromUserName or MsgType")
    return IncomingMessage(
        from_user=from_user,
        msg_type=msg_type.lower(),
        create_time=_text(root, "CreateTime"),
        msg_id=_text(root, "MsgId") or None,
        content=_text(root, "Content"),
        event=_text(root, "Event").lower(),
        agent_id=_text(root, "AgentID"),
    )


def _text(root: Mapping[str, Any], tag: str) -> str:
    value = root.get(tag)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise MalformedCallbackError(f"<{tag}> is not a single text element")
    return value.strip()
