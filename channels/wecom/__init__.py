"""WeCom (企业微信) self-built app channel: `channels.wecom.WeComInput` in credentials.yml."""

from channels.wecom.connector import WeComInput

__all__ = ["WeComInput"]
