"""HTTP security headers of the trainee pages, assets and API.

Everything is served from this server (no CDN), so the Content-Security-Policy allows
'self' only. Inline scripts run only with the per-response nonce of the page that
carries them. ``frame-ancestors`` says which sites (the company LMS or intranet)
may show the practice page in an iframe.
"""

from __future__ import annotations

import os
import re
import secrets
from typing import Any, Dict, Mapping, Optional

FRAME_ANCESTORS_ENV = "WEB_FRAME_ANCESTORS"
DEFAULT_FRAME_ANCESTORS = "'self'"
# Sources like 'self', 'none', https://lms.example.com, https://*.example.com
_SOURCE = re.compile(r"^('self'|'none'|https?://[A-Za-z0-9*.-]+(:\d+)?)$")


def frame_ancestors(
    credentials: Optional[Mapping[str, Any]] = None,
    environ: Optional[Mapping[str, str]] = None,
) -> str:
    """WEB_FRAME_ANCESTORS, else credentials.yml's ``frame_ancestors``, else 'self'."""
    env = os.environ if environ is None else environ
    raw = env.get(FRAME_ANCESTORS_ENV, "").strip() or str(
        (credentials or {}).get("frame_ancestors") or ""
    )
    sources = raw.split()
    if not sources:
        return DEFAULT_FRAME_ANCESTORS
    bad = [source for source in sources if not _SOURCE.match(source)]
    if bad:
        raise ValueError(
            f"{FRAME_ANCESTORS_ENV}/frame_ancestors 含有无效来源:{' '.join(bad)}"
            "(示例:'self' https://lms.example.com)"
        )
    return " ".join(sources)


def new_nonce() -> str:
    return secrets.token_urlsafe(16)


def content_security_policy(ancestors: str, nonce: Optional[str] = None) -> str:
    scripts = "'self'" + (f" 'nonce-{nonce}'" if nonce else "")
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src {scripts}",
            # ECharts positions its canvas with inline style attributes.
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            f"frame-ancestors {ancestors}",
        ]
    )


def security_headers(ancestors: str, nonce: Optional[str] = None) -> Dict[str, str]:
    return {
        "Content-Security-Policy": content_security_policy(ancestors, nonce),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    }
