"""The trainer dashboard's routes: a Sanic blueprint rendered with Jinja2.

Every page needs a trainer session (a signed cookie naming a session stored in
the database); every POST needs the session's CSRF token. Database work runs in
a worker thread so the Rasa server's event loop is never blocked by it.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import re
import tempfile
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Awaitable, Callable, Optional
from urllib.parse import quote, urlencode

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from actions.records import RecordNotFoundError, Records
from actions.records.cli import parse_due
from actions.records.export import export_attempts_csv, export_replies_csv
from actions.records.labels import local_time, mode_label, number, status_label
from actions.records.settings import load_settings
from channels.dashboard import data
from channels.dashboard.accounts import AccountStore, SessionIdentity
from channels.dashboard.security import (
    STATIC_CACHE,
    cross_site,
    safe_next,
    secure_headers,
)
from channels.dashboard.settings import DashboardSettings
from channels.dashboard.signing import Signer
from channels.dashboard.throttle import FailureThrottle

logger = logging.getLogger(__name__)

PREFIX = "/dashboard"
SESSION_COOKIE = "dash_session"
LOGIN_CSRF_COOKIE = "dash_login_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
MAX_COMMENT_CHARS = 500
MAX_EXTRA_TRAINEES = 200

TEMPLATES_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"

# Fixed wording for ?notice= / ?error= codes: no request text is ever echoed back.
NOTICES = {
    "overridden": "分数已调整,练习总分已重新计算。",
    "assigned": "考试已布置。",
    "logged_out": "您已安全退出。",
}
ERRORS = {
    "score": "新分数必须是 0–100 之间的整数。",
    "comment": f"请填写调整说明(不超过 {MAX_COMMENT_CHARS} 字)。",
    "reply": "找不到这条回复,可能已被删除。",
    "scenario": "请选择一个有效的场景。",
    "trainees": "请至少选择或填写一名学员。",
    "due": "截止日期格式不对,请用日期选择器重新选择。",
    "past": "截止时间已经过去,请选择以后的时间。",
}

Handler = Callable[..., Awaitable[HTTPResponse]]


class FormError(ValueError):
    """A posted form that cannot be used; `code` is a key of ERRORS."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def _percent(value: Optional[float]) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


def _one_decimal(value: Optional[float]) -> str:
    return "—" if value is None else f"{value:.1f}"


class Dashboard:
    """The dashboard's state (records, accounts, signer) and its blueprint."""

    def __init__(
        self,
        settings: DashboardSettings,
        records: Optional[Records] = None,
        accounts: Optional[AccountStore] = None,
    ) -> None:
        self.settings = settings
        self.signer = Signer(settings.secret)
        self._records = records
        self._accounts = accounts
        self.zone = load_settings().tz
        self.throttle = FailureThrottle(settings.lockout)
        self.templates = Environment(
            loader=FileSystemLoader(str(TEMPLATES_DIR)),
            autoescape=True,
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.templates.filters.update(
            local_time=lambda moment: local_time(moment, self.zone) or "—",
            status_label=status_label,
            mode_label=mode_label,
            number=number,
            percent=_percent,
            one_decimal=_one_decimal,
            situation_title=data.situation_title,
            path_quote=lambda text: quote(str(text), safe=""),
        )

    @property
    def records(self) -> Records:
        # Opened on first use, not when `rasa run` loads the channel.
        if self._records is None:
            self._records = Records()
        return self._records

    @property
    def accounts(self) -> AccountStore:
        if self._accounts is None:
            self._accounts = AccountStore(self.records, self.settings.lockout)
        return self._accounts

    # -- helpers ------------------------------------------------------------------

    def render(
        self,
        request: Request,
        template: str,
        *,
        status: int = 200,
        identity: Optional[SessionIdentity] = None,
        **context: Any,
    ) -> HTTPResponse:
        notice = NOTICES.get(request.args.get("notice", ""))
        error = ERRORS.get(request.args.get("error", ""))
        html = self.templates.get_template(template).render(
            prefix=PREFIX,
            trainer=identity.username if identity else None,
            csrf_token=self.signer.csrf_token(identity.token_hash) if identity else "",
            current_path=request.path,
            notice=context.pop("notice", notice),
            error=context.pop("error", error),
            **context,
        )
        return secure_headers(response.html(html, status=status))

    def redirect(self, target: str) -> HTTPResponse:
        return secure_headers(response.redirect(target, status=303))

    def _cookie_secure(self, request: Request) -> bool:
        mode = self.settings.cookie_secure
        return mode == "always" or (mode == "auto" and request.scheme == "https")

    def _set_cookie(
        self, request: Request, resp: HTTPResponse, name: str, value: str, **attrs: Any
    ) -> None:
        resp.cookies[name] = value
        cookie = resp.cookies[name]
        cookie["httponly"] = True
        cookie["samesite"] = "Strict"
        cookie["path"] = attrs.pop("path", PREFIX)
        if self._cookie_secure(request):
            cookie["secure"] = True
        for key, item in attrs.items():
            cookie[key.replace("_", "-")] = item

    def _clear_cookie(
        self, request: Request, resp: HTTPResponse, name: str, path: str = PREFIX
    ) -> None:
        self._set_cookie(request, resp, name, "", path=path, max_age=0)

    async def identity(self, request: Request) -> Optional[SessionIdentity]:
        token = self.signer.session_token(request.cookies.get(SESSION_COOKIE))
        if token is None:
            return None
        return await asyncio.to_thread(self.accounts.session_identity, token)

    def trainer_only(self, handler: Handler) -> Handler:
        """The route needs a trainer session; a POST also needs its CSRF token."""

        @functools.wraps(handler)
        async def guarded(request: Request, *args: Any, **kwargs: Any):
            identity = await self.identity(request)
            if request.method == "POST":
                if identity is None:
                    return self.refuse(request, "登录已失效,请重新登录后再提交。")
                submitted = request.form.get(CSRF_FIELD) if request.form else None
                submitted = submitted or request.headers.get(CSRF_HEADER)
                if cross_site(request) or not self.signer.csrf_ok(
                    identity.token_hash, submitted
                ):
                    logger.warning(
                        "dashboard: CSRF check failed for %s %s",
                        identity.username,
                        request.path,
                    )
                    return self.refuse(request, "请求校验失败,请刷新页面后重试。")
            elif identity is None:
                query = urlencode({"next": request.path + _query_suffix(request)})
                return self.redirect(f"{PREFIX}/login?{query}")
            return await handler(request, identity, *args, **kwargs)

        return guarded

    def refuse(self, request: Request, message: str) -> HTTPResponse:
        return self.render(request, "refused.html", status=403, message=message)

    def not_found(
        self, request: Request, identity: SessionIdentity, message: str
    ) -> HTTPResponse:
        return self.render(
            request, "not_found.html", status=404, identity=identity, message=message
        )

    # -- the blueprint ---------------------------------------------------------------

    def blueprint(self) -> Blueprint:
        bp = Blueprint("trainer_dashboard")
        guard = self.trainer_only

        bp.add_route(guard(self.overview), "/", methods=["GET"])
        bp.add_route(_function(self.login_form), "/login", methods=["GET"])
        bp.add_route(_function(self.login), "/login", methods=["POST"])
        bp.add_route(guard(self.logout), "/logout", methods=["POST"])
        bp.add_route(guard(self.trainee_list), "/trainees", methods=["GET"])
        bp.add_route(guard(self.trainee_page), "/trainee", methods=["GET"])
        bp.add_route(
            guard(self.attempt_page), "/attempts/<attempt_id:str>", methods=["GET"]
        )
        bp.add_route(
            guard(self.override),
            "/replies/<reply_id:int>/override",
            methods=["POST"],
        )
        bp.add_route(guard(self.exams_page), "/exams", methods=["GET"])
        bp.add_route(guard(self.assign), "/exams", methods=["POST"])
        bp.add_route(guard(self.scenarios_page), "/scenarios", methods=["GET"])
        bp.add_route(guard(self.export_page), "/export", methods=["GET"])
        bp.add_route(
            guard(self.export_attempts), "/export/attempts.csv", methods=["GET"]
        )
        bp.add_route(guard(self.export_replies), "/export/replies.csv", methods=["GET"])
        bp.add_route(_function(self.static), "/static/<name:str>", methods=["GET"])
        bp.listener("after_server_start")(self._warm_up)
        return bp

    async def _warm_up(self, *_: Any) -> None:
        """Parse the scenario files and situation titles once, off the event loop,
        so that a trainer's first visit does not wait for them."""

        def load() -> None:
            try:
                data.scenario_library()
                data.situation_titles()
            except Exception:  # a broken file shows on the scenarios page instead
                logger.exception("dashboard: warming the scenario cache failed")

        asyncio.get_running_loop().run_in_executor(None, load)

    # -- login / logout -----------------------------------------------------------------

    async def login_form(self, request: Request) -> HTTPResponse:
        if await self.identity(request) is not None:
            return self.redirect(safe_next(request.args.get("next"), PREFIX))
        return self._login_page(request)

    def _login_page(
        self, request: Request, status: int = 200, error: Optional[str] = None
    ) -> HTTPResponse:
        token = self.signer.new_login_csrf()
        posted = request.form.get("next") if request.method == "POST" else None
        target = safe_next(request.args.get("next") or posted, PREFIX)
        resp = self.render(
            request,
            "login.html",
            status=status,
            login_csrf=token,
            next_path=target,
            error=error,
        )
        self._set_cookie(
            request,
            resp,
            LOGIN_CSRF_COOKIE,
            token,
            path=f"{PREFIX}/login",
            max_age=3600,
        )
        return resp

    async def login(self, request: Request) -> HTTPResponse:
        form = request.form or {}
        if cross_site(request) or not self.signer.login_csrf_ok(
            request.cookies.get(LOGIN_CSRF_COOKIE), form.get(CSRF_FIELD)
        ):
            return self.refuse(request, "登录表单已过期,请刷新页面后重新登录。")
        username = _field(form, "username")
        password = form.get("password") or ""
        outcome = await asyncio.to_thread(
            self.accounts.authenticate, username, password
        )
        name_key = username.lower()[:64]
        if not outcome.ok:
            logger.warning("dashboard: failed login for %r", username[:64])
            # Unknown names are slowed down and "locked" like real accounts, so
            # the answers do not tell which accounts exist.
            recent = self.throttle.failure(name_key)
            policy = self.settings.lockout
            await asyncio.sleep(policy.delay_after(max(outcome.failures, recent)))
            now = self.accounts.now()
            if (
                outcome.locked_until is not None and outcome.locked_until > now
            ) or recent >= policy.max_failures:
                return self._login_page(
                    request,
                    status=429,
                    error=f"连续输错密码次数过多,账号已锁定 {policy.lock_minutes} 分钟," "请稍后再试或请管理员解锁。",
                )
            return self._login_page(request, status=401, error="用户名或密码不正确。")
        self.throttle.clear(name_key)
        lifetime = timedelta(hours=self.settings.session_hours)
        token, _expires = await asyncio.to_thread(
            self.accounts.start_session, outcome.username, lifetime
        )
        logger.info("dashboard: %s logged in", outcome.username)
        resp = self.redirect(safe_next(form.get("next"), PREFIX))
        self._set_cookie(
            request,
            resp,
            SESSION_COOKIE,
            self.signer.session_cookie(token),
            max_age=int(lifetime.total_seconds()),
        )
        self._clear_cookie(request, resp, LOGIN_CSRF_COOKIE, path=f"{PREFIX}/login")
        return resp

    async def logout(self, request: Request, identity: SessionIdentity) -> HTTPResponse:
        token = self.signer.session_token(request.cookies.get(SESSION_COOKIE))
        if token is not None:
            await asyncio.to_thread(self.accounts.end_session, token)
        resp = self.redirect(f"{PREFIX}/login?notice=logged_out")
        self._clear_cookie(request, resp, SESSION_COOKIE)
        return resp

    # -- pages -------------------------------------------------------------------------

    async def overview(
        self, request: Request, identity: SessionIdentity
    ) -> HTTPResponse:
        days = _period(request.args.get("days"))
        page = await asyncio.to_thread(data.overview, self.records, self.zone, days)
        return self.render(
            request,
            "overview.html",
            identity=identity,
            page=page,
            periods=data.PERIOD_CHOICES,
        )

    async def trainee_list(
        self, request: Request, identity: SessionIdentity
    ) -> HTTPResponse:
        people = await asyncio.to_thread(data.trainees, self.records)
        return self.render(request, "trainees.html", identity=identity, people=people)

    async def trainee_page(
        self, request: Request, identity: SessionIdentity
    ) -> HTTPResponse:
        trainee_id = (request.args.get("id") or "").strip()
        page = None
        if trainee_id:
            page = await asyncio.to_thread(
                data.trainee_detail, self.records, self.zone, trainee_id
            )
        if page is None:
            return self.not_found(request, identity, "没有找到这位学员。")
        return self.render(request, "trainee.html", identity=identity, page=page)

    async def attempt_page(
        self, request: Request, identity: SessionIdentity, attempt_id: str
    ) -> HTTPResponse:
        try:
            page = await asyncio.to_thread(data.transcript, self.records, attempt_id)
        except RecordNotFoundError:
            return self.not_found(request, identity, "没有找到这次练习记录。")
        # After an override the page scrolls to that reply: show the outcome there.
        highlight = _int_in_range(request.args.get("reply"), 0, 2**31)
        return self.render(
            request, "attempt.html", identity=identity, page=page, highlight=highlight
        )

    async def override(
        self, request: Request, identity: SessionIdentity, reply_id: int
    ) -> HTTPResponse:
        form = request.form or {}
        back = f"{PREFIX}/attempts/"
        attempt_id = await asyncio.to_thread(self._attempt_of_reply, reply_id)
        if attempt_id is None:
            return self.not_found(request, identity, ERRORS["reply"])
        page = f"{back}{quote(attempt_id, safe='')}"
        anchor = f"&reply={reply_id}#reply-{reply_id}"
        try:
            new_score, comment = _override_form(form)
        except FormError as error:
            return self.redirect(f"{page}?error={error.code}{anchor}")
        result = await asyncio.to_thread(
            self.records.override_score, reply_id, new_score, comment, identity.username
        )
        logger.info(
            "dashboard: %s changed reply %s from %s to %s (attempt total %s)",
            identity.username,
            reply_id,
            result.old_score,
            result.new_score,
            result.attempt_total,
        )
        return self.redirect(f"{page}?notice=overridden{anchor}")

    def _attempt_of_reply(self, reply_id: int) -> Optional[str]:
        from actions.records.models import Reply

        with self.records.database.reading() as session:
            reply = session.get(Reply, reply_id)
            return None if reply is None else reply.attempt_id

    async def exams_page(
        self, request: Request, identity: SessionIdentity
    ) -> HTTPResponse:
        page = await asyncio.to_thread(data.exams, self.records)
        default_due = (self.records.now() + timedelta(days=7)).astimezone(self.zone)
        return self.render(
            request,
            "exams.html",
            identity=identity,
            page=page,
            default_due=default_due.strftime("%Y-%m-%d"),
        )

    async def assign(self, request: Request, identity: SessionIdentity) -> HTTPResponse:
        form = request.form or {}
        try:
            scenario_id = _field(form, "scenario_id")
            if scenario_id not in await asyncio.to_thread(data.scenario_ids):
                raise FormError("scenario")
            trainees = _trainee_ids(form)
            due_at = self._due_at(form)
        except FormError as error:
            return self.redirect(f"{PREFIX}/exams?error={error.code}")
        ids = await asyncio.to_thread(
            self.records.assign_exam, scenario_id, trainees, due_at, identity.username
        )
        logger.info(
            "dashboard: %s assigned %s to %d trainee(s), due %s (ids %s)",
            identity.username,
            scenario_id,
            len(trainees),
            due_at.isoformat(),
            ids,
        )
        return self.redirect(f"{PREFIX}/exams?notice=assigned")

    def _due_at(self, form: Any) -> datetime:
        """The exam's deadline from the date (and optional time) fields, in the future."""
        due_text, due_time = _field(form, "due_date"), _field(form, "due_time")
        try:
            due_at = parse_due(
                f"{due_text} {due_time}" if due_time else due_text, self.zone
            )
        except ValueError:
            raise FormError("due") from None
        if due_at <= self.records.now():
            raise FormError("past")
        return due_at

    async def scenarios_page(
        self, request: Request, identity: SessionIdentity
    ) -> HTTPResponse:
        files, general = await asyncio.to_thread(data.scenario_files, self.records)
        return self.render(
            request, "scenarios.html", identity=identity, files=files, general=general
        )

    async def export_page(
        self, request: Request, identity: SessionIdentity
    ) -> HTTPResponse:
        people = await asyncio.to_thread(data.trainees, self.records)
        library = await asyncio.to_thread(data.scenario_list)
        return self.render(
            request,
            "export.html",
            identity=identity,
            people=people,
            scenarios=library,
            periods=data.PERIOD_CHOICES,
        )

    async def export_attempts(
        self, request: Request, identity: SessionIdentity
    ) -> HTTPResponse:
        return await self._export(request, identity, "attempts", export_attempts_csv)

    async def export_replies(
        self, request: Request, identity: SessionIdentity
    ) -> HTTPResponse:
        return await self._export(request, identity, "replies", export_replies_csv)

    async def _export(
        self,
        request: Request,
        identity: SessionIdentity,
        what: str,
        writer: Callable[..., int],
    ) -> HTTPResponse:
        days = _period(request.args.get("days"))
        filters = {
            "trainee_id": (request.args.get("trainee") or "").strip() or None,
            "scenario_id": (request.args.get("scenario") or "").strip() or None,
            "since": None
            if days is None
            else self.records.now() - timedelta(days=days),
        }
        body, count = await asyncio.to_thread(self._csv_bytes, writer, filters)
        logger.info("dashboard: %s exported %d %s", identity.username, count, what)
        stamp = datetime.now(self.zone).strftime("%Y%m%d-%H%M")
        label = {"attempts": "练习记录", "replies": "回复明细"}[what]
        disposition = (
            f'attachment; filename="{what}-{stamp}.csv"; '
            f"filename*=UTF-8''{quote(f'{label}-{stamp}.csv')}"
        )
        resp = response.raw(
            body,
            content_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": disposition},
        )
        return secure_headers(resp)

    def _csv_bytes(
        self, writer: Callable[..., int], filters: dict
    ) -> tuple[bytes, int]:
        # The export module writes files (the CLI's format); reuse it as is.
        with tempfile.TemporaryDirectory(prefix="dashboard-export-") as folder:
            path = Path(folder) / "export.csv"
            count = writer(self.records, path, self.zone, **filters)
            return path.read_bytes(), count

    async def static(self, request: Request, name: str) -> HTTPResponse:
        files = {
            "dashboard.css": (STATIC_DIR / "dashboard.css", "text/css"),
            "dashboard.js": (
                self.settings.dist_dir / "dashboard.js",
                "application/javascript",
            ),
        }
        found = files.get(name)
        if found is None or not found[0].is_file():
            return secure_headers(response.text("not found", status=404))
        path, mime = found
        resp = await response.file(path, mime_type=f"{mime}; charset=utf-8")
        return secure_headers(resp, cache=STATIC_CACHE)


def _function(method: Handler) -> Handler:
    """A plain function around a bound method (Sanic tags route handlers)."""

    @functools.wraps(method)
    async def handler(*args: Any, **kwargs: Any) -> HTTPResponse:
        return await method(*args, **kwargs)

    return handler


def _query_suffix(request: Request) -> str:
    return f"?{request.query_string}" if request.query_string else ""


def _period(raw: Optional[str]) -> Optional[int]:
    """?days= one of the offered periods; anything else means all time."""
    try:
        days = int(raw or "")
    except ValueError:
        return None
    return days if days in data.PERIOD_CHOICES else None


def _field(form: Any, name: str) -> str:
    return (form.get(name) or "").strip()


def _override_form(form: Any) -> tuple[int, str]:
    """(new score, comment) of a score override."""
    new_score = _int_in_range(form.get("new_score"), 0, 100)
    if new_score is None:
        raise FormError("score")
    comment = _field(form, "comment")
    if not comment or len(comment) > MAX_COMMENT_CHARS:
        raise FormError("comment")
    return new_score, comment


def _trainee_ids(form: Any) -> list[str]:
    """Ticked trainees plus the typed-in ones (split at spaces and commas), once each."""
    trainees = [t.strip() for t in form.getlist("trainee_ids") or [] if t.strip()]
    # Chinese keyboards type the full-width comma (、 too when listing).
    extra = re.sub(r"[,，、;；]", " ", form.get("extra_trainees") or "")
    trainees += extra.split()[:MAX_EXTRA_TRAINEES]
    trainees = [t[:128] for t in dict.fromkeys(trainees)]
    if not trainees:
        raise FormError("trainees")
    return trainees


def _int_in_range(raw: Optional[str], low: int, high: int) -> Optional[int]:
    try:
        value = int((raw or "").strip())
    except ValueError:
        return None
    return value if low <= value <= high else None
