"""The dashboard over real HTTP: access control, CSRF, escaping, override, export."""

from __future__ import annotations

import csv
import io
import time

import pytest
import requests

from actions.records import reports
from actions.records.export import ATTEMPT_HEADERS, REPLY_HEADERS
from channels.dashboard.settings import LockoutPolicy
from channels.dashboard.views import LOGIN_CSRF_COOKIE, SESSION_COOKIE
from tests.dashboard.conftest import (
    IMG_REPLY,
    PASSWORD,
    SCRIPT_REPLY,
    TRAINER,
    csrf_from,
    post_login,
)

PAGES = [
    "/",
    "/?days=7",
    "/trainees",
    "/trainee?id=S1001",
    "/exams",
    "/scenarios",
    "/export",
    "/export/attempts.csv",
    "/export/replies.csv",
]


def attempt_url(server, played) -> str:
    return f"{server.url}/attempts/{played['attempt']}"


def absolute(server, location: str) -> str:
    """The URL of a Location header (a path on the same server), without the fragment."""
    return server.url[: -len("/dashboard")] + location.split("#")[0]


def set_cookie_headers(answer: requests.Response) -> list[str]:
    return answer.raw.headers.getlist("Set-Cookie")


# -- access control -----------------------------------------------------------


@pytest.mark.parametrize("path", PAGES + ["/attempts/whatever"])
def test_every_page_needs_a_trainer_session(server, played, path):
    answer = requests.get(server.url + path, allow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["Location"].startswith("/dashboard/login?next=")
    assert "S1001" not in answer.text


@pytest.mark.parametrize("path", PAGES)
def test_pages_render_for_a_trainer(server, played, login, path):
    answer = login().get(server.url + path)
    assert answer.status_code == 200


@pytest.mark.parametrize(
    "cookie",
    [
        "S1001",  # a trainee's staff number, as the widget remembers it
        "forged-token.0000",
        "a" * 43 + "." + "b" * 64,
    ],
)
def test_a_cookie_that_is_not_a_trainer_session_is_refused(server, played, cookie):
    answer = requests.get(
        server.url + "/", cookies={SESSION_COOKIE: cookie}, allow_redirects=False
    )
    assert answer.status_code == 303 and "/login" in answer.headers["Location"]


def test_a_correctly_signed_token_without_a_stored_session_is_refused(server, played):
    signed = server.dashboard.signer.session_cookie("never-issued-token")
    answer = requests.get(
        server.url + "/", cookies={SESSION_COOKIE: signed}, allow_redirects=False
    )
    assert answer.status_code == 303


def test_login_sets_a_hardened_session_cookie_and_logout_revokes_it(server, login):
    page = requests.get(server.url + "/login")
    login_cookie = next(
        c for c in set_cookie_headers(page) if c.startswith(LOGIN_CSRF_COOKIE)
    )
    assert "HttpOnly" in login_cookie and "SameSite=Strict" in login_cookie
    session = requests.Session()
    answer = post_login(server, session=session, next="/dashboard/scenarios")
    assert answer.status_code == 303
    assert answer.headers["Location"] == "/dashboard/scenarios"
    cookie = next(
        c for c in set_cookie_headers(answer) if c.startswith(SESSION_COOKIE + "=")
    )
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert "Path=/dashboard" in cookie and "Max-Age=28800" in cookie
    assert "Secure" not in cookie  # plain HTTP on localhost, cookie_secure=auto
    stolen = session.cookies.get(SESSION_COOKIE)

    overview = session.get(server.url + "/")
    session.post(server.url + "/logout", data={"csrf_token": csrf_from(overview.text)})
    replay = requests.get(
        server.url + "/", cookies={SESSION_COOKIE: stolen}, allow_redirects=False
    )
    assert replay.status_code == 303


def test_cookie_is_secure_when_configured(start_server, login):
    secure_server = start_server(cookie_secure="always")
    page = requests.get(secure_server.url + "/login")
    assert all("Secure" in c for c in set_cookie_headers(page))
    token = csrf_from(page.text)
    # A browser would not send a Secure cookie over plain HTTP; send it by hand.
    answer = requests.post(
        secure_server.url + "/login",
        data={"username": TRAINER, "password": PASSWORD, "csrf_token": token},
        cookies={LOGIN_CSRF_COOKIE: token},
        allow_redirects=False,
    )
    cookie = next(
        c for c in set_cookie_headers(answer) if c.startswith(SESSION_COOKIE + "=")
    )
    assert "Secure" in cookie


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/x", "/dashboard/../webhooks/rest", "/x"],
)
def test_login_never_redirects_off_the_dashboard(server, target):
    answer = post_login(server, next=target)
    assert answer.headers["Location"] == "/dashboard/"


def test_wrong_password_answers_the_same_as_an_unknown_user(server):
    answers = [
        post_login(server, username, "wrong-password")
        for username in (TRAINER, "nobody_here")
    ]
    assert [a.status_code for a in answers] == [401, 401]
    assert all("用户名或密码不正确" in a.text for a in answers)
    assert not any(
        SESSION_COOKIE + "=" in c for a in answers for c in set_cookie_headers(a)
    )


@pytest.mark.parametrize("username", [TRAINER, "no_such_trainer"])
def test_five_failures_lock_the_login_even_for_the_right_password(server, username):
    codes = [post_login(server, username, f"guess-{n}").status_code for n in range(5)]
    assert codes == [401, 401, 401, 401, 429]
    locked = post_login(server, username, PASSWORD)
    assert locked.status_code == 429 and "锁定" in locked.text
    assert SESSION_COOKIE not in locked.cookies


def test_failed_logins_are_slowed_down_more_and_more(start_server, records):
    slow = start_server(lockout=LockoutPolicy(base_delay=0.2, max_delay=1.0))
    timings = []
    for n in range(3):
        began = time.monotonic()
        post_login(slow, TRAINER, f"guess-{n}")
        timings.append(time.monotonic() - began)
    assert timings[0] >= 0.2 and timings[1] >= 0.4 and timings[2] >= 0.8


# -- CSRF -----------------------------------------------------------------------


def post_override(client, server, reply_id, form, **kwargs) -> requests.Response:
    """POSTs a score override; `client` is a logged-in session or plain `requests`."""
    return client.post(
        f"{server.url}/replies/{reply_id}/override",
        data=form,
        allow_redirects=False,
        **kwargs,
    )


def on_the_attempt_page(login, server, played) -> tuple[requests.Session, str]:
    """A new trainer session that opened the attempt page, and the page's CSRF token."""
    session = login()
    return session, csrf_from(session.get(attempt_url(server, played)).text)


def override_form(score=85, comment="回复其实已说明统一定价", token=None):
    form = {"new_score": str(score), "comment": comment}
    if token is not None:
        form["csrf_token"] = token
    return form


def test_login_without_its_csrf_token_is_refused(server):
    answer = requests.post(
        server.url + "/login",
        data={"username": TRAINER, "password": PASSWORD},
        allow_redirects=False,
    )
    assert answer.status_code == 403
    assert SESSION_COOKIE not in answer.cookies


@pytest.mark.parametrize("token", [None, "", "0" * 64, "forged"])
def test_override_without_a_valid_csrf_token_is_refused(
    server, played, records, login, token
):
    session = login()
    reply_id = played["replies"][0]
    answer = post_override(session, server, reply_id, override_form(token=token))
    assert answer.status_code == 403
    assert records.overrides_for(reply_id) == []


def test_another_sessions_csrf_token_is_refused(server, played, records, login):
    mine, theirs = login(), login()
    their_token = csrf_from(theirs.get(attempt_url(server, played)).text)
    mine.get(attempt_url(server, played))
    answer = post_override(
        mine, server, played["replies"][0], override_form(token=their_token)
    )
    assert answer.status_code == 403
    assert records.overrides_for(played["replies"][0]) == []


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site", "Origin": "http://127.0.0.1"},
    ],
)
def test_a_cross_site_post_is_refused_even_with_the_token(
    server, played, records, login, headers
):
    session, token = on_the_attempt_page(login, server, played)
    answer = post_override(
        session,
        server,
        played["replies"][0],
        override_form(token=token),
        headers=headers,
    )
    assert answer.status_code == 403
    assert records.overrides_for(played["replies"][0]) == []


@pytest.mark.parametrize(
    "path, form",
    [
        ("/logout", {}),
        ("/exams", {"scenario_id": "bargain_sofa", "trainee_ids": "S1001"}),
    ],
)
def test_other_posts_need_the_csrf_token_too(
    server, played, records, login, path, form
):
    session = login()
    answer = session.post(server.url + path, data=form, allow_redirects=False)
    assert answer.status_code == 403
    assert records.assignments_for("S1001") == []
    assert session.get(server.url + "/", allow_redirects=False).status_code == 200


def test_a_post_without_a_session_is_refused(server, played, records):
    answer = post_override(
        requests, server, played["replies"][0], override_form(token="x")
    )
    assert answer.status_code == 403
    assert records.overrides_for(played["replies"][0]) == []


# -- escaping -------------------------------------------------------------------


def test_user_text_is_escaped_in_the_transcript(server, played, login):
    html = login().get(attempt_url(server, played)).text
    for raw in (SCRIPT_REPLY, IMG_REPLY, "<b>小</b>", "<i>私自打折</i>"):
        assert raw not in html
    assert "&lt;script&gt;window.__pwned = 1&lt;/script&gt;您好,欢迎光临" in html
    assert "&lt;img src=x onerror=&#34;window.__pwned = 2&#34;&gt;" in html
    assert "<script>" not in html.replace(
        '<script src="/dashboard/static/dashboard.js" defer></script>', ""
    )


def test_chart_data_cannot_close_its_script_block(server, records, login, played):
    # A trainee name is user text that also lands in chart JSON on some pages.
    records.ensure_trainee("S1001", "</script><script>alert(1)</script>")
    session = login()
    for path in ("/", "/trainee?id=S1001", "/trainees"):
        html = session.get(server.url + path).text
        assert "</script><script>alert(1)" not in html


# -- override -------------------------------------------------------------------


def test_override_changes_the_total_and_keeps_the_history(
    server, played, records, login
):
    session = login()
    reply_id = played["replies"][0]
    before = records.get_attempt(played["attempt"]).total_score
    assert before == 55  # (40 + 70) / 2
    token = csrf_from(session.get(attempt_url(server, played)).text)
    comment = "回复已说明统一定价 <b>系统漏判</b>"
    answer = post_override(
        session, server, reply_id, override_form(score=90, comment=comment, token=token)
    )
    assert answer.status_code == 303
    assert "notice=overridden" in answer.headers["Location"]
    assert answer.headers["Location"].endswith(f"&reply={reply_id}#reply-{reply_id}")

    attempt = records.get_attempt(played["attempt"])
    assert attempt.total_score == 80 and attempt.passed
    (override,) = records.overrides_for(reply_id)
    assert (override.old_score, override.new_score) == (40, 90)
    assert override.trainer == TRAINER and override.comment == comment
    page = session.get(absolute(server, answer.headers["Location"])).text
    assert "分数已调整,练习总分已重新计算。当前总分 80。" in page
    assert 'id="attempt-total"><span class="score good">80</span>' in page
    assert "系统原评 40" in page
    assert "&lt;b&gt;系统漏判&lt;/b&gt;" in page


@pytest.mark.parametrize(
    "score, comment, error",
    [
        ("101", "太高", "error=score"),
        ("-1", "负数", "error=score"),
        ("八十", "不是数字", "error=score"),
        ("80", "   ", "error=comment"),
        ("80", "长" * 501, "error=comment"),
    ],
    ids=["over-100", "negative", "not-a-number", "blank-comment", "long-comment"],
)
def test_invalid_override_is_refused_with_a_message(
    server, played, records, login, score, comment, error
):
    session, token = on_the_attempt_page(login, server, played)
    answer = post_override(
        session,
        server,
        played["replies"][0],
        {"new_score": score, "comment": comment, "csrf_token": token},
    )
    assert answer.status_code == 303 and error in answer.headers["Location"]
    assert records.overrides_for(played["replies"][0]) == []
    page = session.get(absolute(server, answer.headers["Location"])).text
    assert 'class="flash error inline"' in page


def test_override_of_an_unknown_reply_is_a_404(server, played, login):
    session, token = on_the_attempt_page(login, server, played)
    answer = post_override(session, server, 999999, override_form(token=token))
    assert answer.status_code == 404


def test_unknown_attempt_and_trainee_are_404(server, played, login):
    session = login()
    assert session.get(server.url + "/attempts/nope").status_code == 404
    assert session.get(server.url + "/trainee?id=nope").status_code == 404


# -- exams ----------------------------------------------------------------------


def test_assigning_an_exam(server, played, records, login, clock):
    session = login()
    token = csrf_from(session.get(server.url + "/exams").text)
    answer = session.post(
        server.url + "/exams",
        data={
            "csrf_token": token,
            "scenario_id": "bargain_sofa",
            "trainee_ids": ["S1001", "S2002"],
            "extra_trainees": "S3003，S3004、S1001 S3005",
            "due_date": "2026-03-09",
            "due_time": "18:00",
        },
        allow_redirects=False,
    )
    assert answer.status_code == 303 and "notice=assigned" in answer.headers["Location"]
    for trainee in ("S1001", "S2002", "S3003", "S3004", "S3005"):
        (assignment,) = records.assignments_for(trainee)
        assert assignment.scenario_id == "bargain_sofa"
        assert assignment.assigned_by == TRAINER
        # 18:00 in Asia/Shanghai is 10:00 UTC.
        assert assignment.due_at.isoformat() == "2026-03-09T10:00:00+00:00"
    page = session.get(server.url + "/exams").text
    assert page.count("待完成</span>") == 5


@pytest.mark.parametrize(
    "form, error",
    [
        ({"scenario_id": "no_such", "trainee_ids": "S1001"}, "scenario"),
        ({"scenario_id": "bargain_sofa"}, "trainees"),
        ({"scenario_id": "bargain_sofa", "trainee_ids": "S1", "due_date": "明天"}, "due"),
        (
            {
                "scenario_id": "bargain_sofa",
                "trainee_ids": "S1",
                "due_date": "2026-03-01",
            },
            "past",
        ),
    ],
)
def test_invalid_assignments_are_refused(server, played, records, login, form, error):
    session = login()
    token = csrf_from(session.get(server.url + "/exams").text)
    data = {"due_date": "2026-03-09", **form, "csrf_token": token}
    answer = session.post(server.url + "/exams", data=data, allow_redirects=False)
    assert f"error={error}" in answer.headers["Location"]
    assert records.assignments_for("S1001") == []


# -- scenarios and export -----------------------------------------------------------


def test_scenario_list_shows_lint_status(server, login, tmp_path, monkeypatch):
    folder = tmp_path / "scenarios"
    folder.mkdir()
    real = sorted(
        (server.dashboard.settings.dist_dir.parents[1] / "data" / "scenarios").glob(
            "*.yml"
        )
    )
    (folder / real[0].name).write_text(
        real[0].read_text(encoding="utf-8"), encoding="utf-8"
    )
    (folder / "broken.yml").write_text(
        "id: broken\ntitle: [unclosed\n", encoding="utf-8"
    )
    monkeypatch.setenv("SCENARIOS_DIR", str(folder))
    html = login().get(server.url + "/scenarios").text
    assert "✓ 通过检查" in html
    assert "broken.yml" in html and "YAML 语法错误" in html


@pytest.mark.parametrize(
    "path, headers", [("attempts", ATTEMPT_HEADERS), ("replies", REPLY_HEADERS)]
)
def test_csv_export_is_utf8_with_bom_and_chinese_headers(
    server, played, login, path, headers
):
    answer = login().get(f"{server.url}/export/{path}.csv")
    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in answer.headers["Content-Disposition"]
    assert answer.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert rows[0] == headers
    assert len(rows) > 1


def test_csv_export_filters_by_trainee(server, played, login, records):
    answer = login().get(f"{server.url}/export/attempts.csv?trainee=S2002")
    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert [row[1] for row in rows[1:]] == ["S2002"]


def test_csv_export_matches_the_records_after_an_override(
    server, played, records, login
):
    records.override_score(played["replies"][0], 100, "满分", "other_trainer")
    answer = login().get(f"{server.url}/export/attempts.csv?trainee=S1001")
    rows = list(csv.DictReader(io.StringIO(answer.content.decode("utf-8-sig"))))
    (attempt,) = reports.trainee_attempts(records, "S1001")
    assert rows[0]["总分"] == str(attempt.total_score) == "85"


# -- headers --------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/export/replies.csv", "/login"])
def test_security_headers(server, played, login, path):
    answer = login().get(server.url + path, allow_redirects=False)
    csp = answer.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "http" not in csp  # no external host allowed
    assert answer.headers["X-Frame-Options"] == "DENY"
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert answer.headers["Referrer-Policy"] == "same-origin"
    assert answer.headers["Cache-Control"] == "no-store"


def test_static_files_are_whitelisted(server):
    assert requests.get(server.url + "/static/dashboard.css").status_code == 200
    for name in ("..%2Fviews.py", "views.py", "%2E%2E%2F%2E%2E%2Fcredentials.yml"):
        assert requests.get(f"{server.url}/static/{name}").status_code == 404
