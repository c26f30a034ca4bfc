"""`channels.web.WebInput`: the trainee practice page, the embeddable widget and its JSON API.

Served by `rasa run` under /web/ (not /webhooks/web/), so one server hosts everything:

    /web/                 practice page (the widget, full screen)
    /web/embed.html       how to embed the widget in the intranet or LMS (live demo)
    /web/widget.js|.css   the widget bundle; /web/charts.js the charts (loaded on demand)
    /web/api/...          the trainee API (token from POST /web/api/login)

The chat itself goes through the socket.io channel (channels.socketio).
"""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, Optional, Text, Tuple

from jinja2 import Environment, FileSystemLoader, select_autoescape
from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from actions.records import default_records
from actions.services import scenario_library
from channels.web import api
from channels.web.conversation import conversation
from channels.web.identity import (
    InvalidIdentityError,
    bearer_token,
    issue_token,
    load_secret,
    normalise_name,
    normalise_staff_no,
    verify_token,
)
from channels.web.security import frame_ancestors, new_nonce, security_headers

logger = logging.getLogger(__name__)

URL_PREFIX = "/web"
PROJECT_ROOT = Path(__file__).resolve().parents[2]
DIST_DIR = PROJECT_ROOT / "web" / "dist"
TEMPLATES_DIR = Path(__file__).parent / "templates"
# Only the trainee bundles are served here (the dashboard serves its own).
_ASSET = re.compile(r"^(widget|charts)\.(js|css)$")
_CONTENT_TYPES = {
    "js": "application/javascript; charset=utf-8",
    "css": "text/css; charset=utf-8",
}
_NOT_BUILT = "网页尚未构建:请运行 `make run`(或 cd web && npm ci && npm run build)。"

Handler = Callable[..., Awaitable[HTTPResponse]]


def _error(status: int, code: str, message: str) -> HTTPResponse:
    return response.json(
        {"error": code, "message": message}, status=status, ensure_ascii=False
    )


class WebBlueprint(Blueprint):
    """Mounted at /web whatever prefix Rasa gives channels (/webhooks/<name>)."""

    def register(self, app: Sanic, options: Dict[str, Any]) -> None:
        super().register(app, {**options, "url_prefix": URL_PREFIX})


@dataclass
class _Asset:
    signature: Tuple[int, int]
    body: bytes
    gzipped: bytes
    etag: str


class AssetCache:
    """web/dist files, read again when they change (a rebuild needs no restart)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._cache: Dict[str, _Asset] = {}

    def get(self, name: str) -> Optional[_Asset]:
        path = self.folder / name
        try:
            stat = path.stat()
        except FileNotFoundError:
            return None
        signature = (stat.st_mtime_ns, stat.st_size)
        cached = self._cache.get(name)
        if cached is None or cached.signature != signature:
            body = path.read_bytes()
            etag = '"' + hashlib.sha256(body).hexdigest()[:20] + '"'
            cached = _Asset(signature, body, gzip.compress(body, 6), etag)
            self._cache[name] = cached
        return cached


class WebInput(InputChannel):
    """Trainee web page, widget files and trainee API (the chat runs over socket.io)."""

    @classmethod
    def name(cls) -> Text:
        return "web"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "WebInput":
        return cls(frame_ancestors=frame_ancestors(credentials))

    def __init__(
        self,
        frame_ancestors: str = "'self'",
        dist_dir: Path = DIST_DIR,
        records_factory: Callable[[], Any] = default_records,
        secret: Optional[bytes] = None,
    ) -> None:
        self.frame_ancestors = frame_ancestors
        self.assets = AssetCache(dist_dir)
        self.records_factory = records_factory
        self._secret = secret
        self.templates = Environment(
            loader=FileSystemLoader(str(TEMPLATES_DIR)),
            autoescape=select_autoescape(default=True, default_for_string=True),
        )

    @property
    def secret(self) -> bytes:
        if self._secret is None:
            self._secret = load_secret()
        return self._secret

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
        web = WebBlueprint("web_trainee", __name__)
        self._add_pages(web)
        self._add_api(web)

        @web.middleware("response")
        async def headers(request: Request, resp: HTTPResponse) -> None:
            for key, value in security_headers(self.frame_ancestors).items():
                resp.headers.setdefault(key, value)
            if request.path.startswith(URL_PREFIX + "/api/"):
                resp.headers["Cache-Control"] = "no-store"

        return web

    # -- pages and files --------------------------------------------------

    def _page(self, request: Request, template: str) -> HTTPResponse:
        nonce = new_nonce()
        origin = f"{request.scheme}://{request.host}"
        html = self.templates.get_template(template).render(
            nonce=nonce, origin=origin, built=self.assets.get("widget.js") is not None
        )
        resp = response.html(html)
        resp.headers.update(security_headers(self.frame_ancestors, nonce))
        resp.headers["Cache-Control"] = "no-cache"
        return resp

    def _add_pages(self, web: Blueprint) -> None:
        @web.route("/", methods=["GET"], strict_slashes=True)
        async def practice_page(request: Request) -> HTTPResponse:
            return self._page(request, "index.html")

        @web.route("", methods=["GET"], strict_slashes=True)
        async def practice_page_without_slash(request: Request) -> HTTPResponse:
            # Relative URLs of the page resolve against /web/, not /.
            return response.redirect(URL_PREFIX + "/", status=301)

        @web.route("/embed.html", methods=["GET"])
        async def embed_page(request: Request) -> HTTPResponse:
            return self._page(request, "embed.html")

        @web.route("/<name:str>", methods=["GET"])
        async def asset(request: Request, name: str) -> HTTPResponse:
            match = _ASSET.match(name)
            if not match:
                return _error(404, "not_found", "没有这个文件。")
            found = self.assets.get(name)
            if found is None:
                return _error(404, "not_built", _NOT_BUILT)
            headers = {
                "ETag": found.etag,
                "Cache-Control": "no-cache",
                "Vary": "Accept-Encoding",
            }
            if request.headers.get("if-none-match") == found.etag:
                return response.empty(status=304, headers=headers)
            body = found.body
            if "gzip" in request.headers.get("accept-encoding", ""):
                body = found.gzipped
                headers["Content-Encoding"] = "gzip"
            return response.raw(
                body, headers=headers, content_type=_CONTENT_TYPES[match.group(2)]
            )

    # -- trainee API ------------------------------------------------------

    def _staff_no(self, request: Request) -> Optional[str]:
        return verify_token(
            bearer_token(request.headers.get("authorization")), self.secret
        )

    def _authorised(self, handler: Callable[..., Any]) -> Handler:
        """Runs a blocking records query for the token's trainee only, off the event loop."""

        async def wrapped(request: Request, **kwargs: Any) -> HTTPResponse:
            staff_no = self._staff_no(request)
            if staff_no is None:
                return _error(401, "invalid_token", "请先输入工号和姓名登录。")
            try:
                data = await asyncio.to_thread(handler, staff_no, **kwargs)
            except api.NotYoursError:
                return _error(404, "not_found", "找不到这次练习记录。")
            return response.json(data, ensure_ascii=False)

        wrapped.__name__ = handler.__name__
        return wrapped

    def _add_api(self, web: Blueprint) -> None:
        @web.route("/api/login", methods=["POST"])
        async def login(request: Request) -> HTTPResponse:
            # JSON only: a cross-site HTML form cannot send it without a CORS preflight.
            if "application/json" not in request.headers.get("content-type", ""):
                return _error(415, "json_required", "请求格式应为 JSON。")
            body = request.json if isinstance(request.json, dict) else {}
            try:
                staff_no = normalise_staff_no(body.get("staff_no"))
                name = normalise_name(body.get("name"))
            except InvalidIdentityError as error:
                return _error(400, "invalid_identity", str(error))
            await asyncio.to_thread(
                self.records_factory().ensure_trainee, staff_no, name, "web"
            )
            return response.json(
                {
                    "token": issue_token(staff_no, self.secret),
                    "staff_no": staff_no,
                    "name": name,
                },
                ensure_ascii=False,
            )

        def me(staff_no: str) -> Dict[str, Any]:
            return {
                "staff_no": staff_no,
                "name": self.records_factory().ensure_trainee(staff_no).display_name,
            }

        def scenarios(staff_no: str) -> Dict[str, Any]:
            store = self.records_factory()
            return {
                "scenarios": api.scenario_cards(store, scenario_library(), staff_no)
            }

        def assignments(staff_no: str) -> Dict[str, Any]:
            store = self.records_factory()
            return {"assignments": api.assignments(store, scenario_library(), staff_no)}

        def history(staff_no: str) -> Dict[str, Any]:
            return api.history(self.records_factory(), staff_no)

        def report(staff_no: str, attempt_id: str) -> Dict[str, Any]:
            return api.attempt_report(self.records_factory(), staff_no, attempt_id)

        web.add_route(self._authorised(me), "/api/me", methods=["GET"])
        web.add_route(self._authorised(scenarios), "/api/scenarios", methods=["GET"])
        web.add_route(
            self._authorised(assignments), "/api/assignments", methods=["GET"]
        )
        web.add_route(self._authorised(history), "/api/history", methods=["GET"])
        web.add_route(
            self._authorised(report),
            "/api/attempts/<attempt_id:str>/report",
            methods=["GET"],
        )

        @web.route("/api/conversation", methods=["GET"])
        async def current_conversation(request: Request) -> HTTPResponse:
            staff_no = self._staff_no(request)
            if staff_no is None:
                return _error(401, "invalid_token", "请先输入工号和姓名登录。")
            agent = getattr(request.app.ctx, "agent", None)
            return response.json(
                await conversation(agent, staff_no), ensure_ascii=False
            )
