"""Trainee web page, embeddable widget and trainee API: `channels.web.WebInput` in credentials.yml."""

from channels.web.connector import WebInput

__all__ = ["WebInput"]
