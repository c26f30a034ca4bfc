"""Response headers and request checks shared by every dashboard route."""

from __future__ import annotations

from typing import Optional
from urllib.parse import urlsplit

from sanic.request import Request
from sanic.response import HTTPResponse

# Everything is served by this server: no CDN, no inline script or style.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    ]
)

BASE_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    # Not "no-referrer": with it browsers send "Origin: null" on our own form posts.
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}

NO_STORE = "no-store"
STATIC_CACHE = "no-cache"  # revalidate: a rebuilt bundle shows up at once


def secure_headers(response: HTTPResponse, cache: str = NO_STORE) -> HTTPResponse:
    for name, value in BASE_HEADERS.items():
        response.headers[name] = value
    response.headers["Cache-Control"] = cache
    if cache == NO_STORE:
        response.headers["Pragma"] = "no-cache"
    return response


def cross_site(request: Request) -> bool:
    """True when the browser says the request comes from another site.

    A second line of defence beside the CSRF token: browsers send Sec-Fetch-Site
    (which pages cannot forge) and, on POSTs, Origin.
    """
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site:
        return fetch_site not in ("same-origin", "none")
    origin = request.headers.get("origin")
    if origin and origin != "null":
        return urlsplit(origin).netloc.lower() != request.host.lower()
    return origin == "null"


def safe_next(target: Optional[str], prefix: str) -> str:
    """Where to go after login: only a path inside the dashboard, never another site."""
    if (
        target
        and target.startswith(prefix + "/")
        and not target.startswith("//")
        and "\\" not in target
        and ".." not in target
        and "\n" not in target
        and "\r" not in target
    ):
        return target
    return prefix + "/"
