"""The trainee page, assets and JSON API of channels.web, served in-process as `rasa run` mounts them."""

from __future__ import annotations

import gzip
import json
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Dict, Optional, Tuple

import aiohttp
import pytest
from multidict import CIMultiDict

from actions.records import Records
from actions.services import scenario_library
from channels.web import WebInput
from channels.web.identity import issue_token
from tests.web.harness import serve_channels

SECRET = b"web-test-secret"
WIDGET_JS = b"window.DaogouWidget={init(){}};" * 40


@pytest.fixture
def store(tmp_path: Path) -> Records:
    records = Records(f"sqlite:///{tmp_path / 'records.db'}")
    yield records
    records.close()


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    folder = tmp_path / "dist"
    folder.mkdir()
    (folder / "widget.js").write_bytes(WIDGET_JS)
    (folder / "widget.css").write_text(".dg-app{display:flex}", encoding="utf-8")
    (folder / "dashboard.js").write_text("/* trainers only */", encoding="utf-8")
    return folder


def web_channel(store: Records, dist: Path, ancestors: str = "'self'") -> WebInput:
    return WebInput(
        frame_ancestors=ancestors,
        dist_dir=dist,
        records_factory=lambda: store,
        secret=SECRET,
    )


async def fetch(
    url: str,
    token: Optional[str] = None,
    method: str = "GET",
    payload: Any = None,
    headers: Optional[Dict[str, str]] = None,
    **kwargs: Any,
) -> Tuple[int, CIMultiDict, bytes]:
    sent = dict(headers or {})
    if token:
        sent["Authorization"] = f"Bearer {token}"
    async with aiohttp.ClientSession(auto_decompress=False) as session:
        async with session.request(
            method, url, json=payload, headers=sent, allow_redirects=False, **kwargs
        ) as resp:
            return resp.status, CIMultiDict(resp.headers), await resp.read()


def finished_attempt(store: Records, trainee: str, scores, scenario="bargain_sofa"):
    attempt_id = store.start_attempt(
        trainee, scenario, "沙发能不能再便宜点", "practice", 7, "r1", 60, len(scores)
    )
    for turn, score in enumerate(scores):
        store.record_reply(
            attempt_id,
            turn,
            0,
            "bargain",
            "能便宜点吗?",
            f"第{turn}句 <img src=x onerror=alert(1)>",
            score,
            [{"id": "apologise", "label": "道歉,请顾客谅解", "matched": "对不起"}],
            [{"id": "brand", "label": "强调销售的是名牌产品", "wording": "名牌产品"}],
            [],
            False,
            True,
        )
    store.finish_attempt(attempt_id, "completed")
    return attempt_id


# -- sign-in and tokens ---------------------------------------------------------


async def test_login_issues_a_token_for_the_normalised_staff_number(store, dist):
    async with serve_channels([web_channel(store, dist)]) as url:
        status, _, body = await fetch(
            f"{url}/web/api/login",
            method="POST",
            payload={"staff_no": " a001 ", "name": " 张  三 "},
        )
        data = json.loads(body)
        me_status, _, me = await fetch(f"{url}/web/api/me", token=data["token"])
    assert status == 200
    assert data == {
        "token": issue_token("A001", SECRET),
        "staff_no": "A001",
        "name": "张 三",
    }
    assert me_status == 200 and b'"A001"' in me
    assert "张 三" in me.decode("utf-8")


@pytest.mark.parametrize(
    "payload, message",
    [
        ({"staff_no": "", "name": "张三"}, "工号"),
        ({"staff_no": "A 001", "name": "张三"}, "工号"),
        ({"staff_no": "A001.x", "name": "张三"}, "工号"),
        ({"staff_no": "A001", "name": "  "}, "姓名"),
        ({"staff_no": "A001", "name": "名" * 33}, "姓名"),
    ],
)
async def test_login_refuses_bad_identities_in_chinese(store, dist, payload, message):
    async with serve_channels([web_channel(store, dist)]) as url:
        status, _, body = await fetch(
            f"{url}/web/api/login", method="POST", payload=payload
        )
    assert status == 400
    assert message in body.decode("utf-8")


async def test_login_accepts_json_only(store, dist):
    async with serve_channels([web_channel(store, dist)]) as url:
        status, _, _ = await fetch(
            f"{url}/web/api/login",
            method="POST",
            data="staff_no=A001&name=x",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
    assert status == 415


@pytest.mark.parametrize(
    "path",
    [
        "/web/api/me",
        "/web/api/scenarios",
        "/web/api/assignments",
        "/web/api/history",
        "/web/api/conversation",
        "/web/api/attempts/x/report",
    ],
)
@pytest.mark.parametrize(
    "token",
    [
        None,
        "A001",
        "A001." + issue_token("A001", b"other-secret").split(".")[1],
        # B002's signature does not make A001 genuine.
        "A001." + issue_token("B002", SECRET).split(".")[1],
    ],
)
async def test_every_trainee_api_call_needs_a_genuine_token(store, dist, path, token):
    async with serve_channels([web_channel(store, dist)]) as url:
        status, headers, body = await fetch(url + path, token=token)
    assert status == 401
    assert b"invalid_token" in body
    assert headers["Cache-Control"] == "no-store"


# -- a trainee sees only their own records --------------------------------------


async def test_history_and_reports_are_the_trainees_own(store, dist):
    mine = finished_attempt(store, "A001", [80, 70])
    theirs = finished_attempt(store, "B002", [10, 20])
    token = issue_token("A001", SECRET)
    async with serve_channels([web_channel(store, dist)]) as url:
        _, _, history = await fetch(f"{url}/web/api/history", token=token)
        own_status, _, own = await fetch(
            f"{url}/web/api/attempts/{mine}/report", token=token
        )
        other_status, _, other = await fetch(
            f"{url}/web/api/attempts/{theirs}/report", token=token
        )
        missing_status, _, _ = await fetch(
            f"{url}/web/api/attempts/no-such-attempt/report", token=token
        )
    history_data = json.loads(history)
    assert [a["attempt_id"] for a in history_data["attempts"]] == [mine]
    assert [p["total"] for p in history_data["trend"]["points"]] == [75]
    assert own_status == 200
    report = json.loads(own)
    assert report["total"] == 75 and report["passed"] is True
    assert report["per_situation"] == [{"title": "顾客要求降价", "score": 75}]
    assert {k["label"]: (k["hits"], k["total"]) for k in report["key_points"]} == {
        "道歉,请顾客谅解": (2, 2),
        "强调销售的是名牌产品": (0, 2),
    }
    assert len(report["improvements"]) >= 1
    assert "名牌产品" in report["improvements"][0]
    # Stored as written: escaping is the page's job (textContent), not the API's.
    assert report["turns"][0]["reply"] == "第0句 <img src=x onerror=alert(1)>"
    assert (other_status, missing_status) == (404, 404)
    assert b"B002" not in other and b"10" not in other


async def test_scenario_cards_show_every_scenario_with_my_best_only(store, dist):
    finished_attempt(store, "A001", [80, 70, 90])
    finished_attempt(store, "B002", [100, 100, 100])
    async with serve_channels([web_channel(store, dist)]) as url:
        status, _, body = await fetch(
            f"{url}/web/api/scenarios", token=issue_token("A001", SECRET)
        )
    cards = {card["id"]: card for card in json.loads(body)["scenarios"]}
    assert status == 200
    assert set(cards) == set(scenario_library().scenarios)
    sofa = cards["bargain_sofa"]
    assert (sofa["my_best"], sofa["my_attempts"]) == (80, 1)
    assert sofa["customer"]["type_name"] == "讨价还价的顾客"
    assert sofa["customer"]["avatar"] and sofa["difficulty"] in ("初级", "中级", "高级")
    untried = next(card for card in cards.values() if card["id"] != "bargain_sofa")
    assert (untried["my_best"], untried["my_attempts"]) == (None, 0)


async def test_assignments_show_due_dates_and_overdue(store, dist):
    now = datetime.now(timezone.utc)
    store.assign_exam("bargain_sofa", ["A001"], now - timedelta(days=1), "李老师")
    store.assign_exam("gift_housewarming", ["A001"], now + timedelta(days=3), "李老师")
    store.assign_exam("browse_just_looking", ["B002"], now + timedelta(days=3), "李老师")
    async with serve_channels([web_channel(store, dist)]) as url:
        _, _, body = await fetch(
            f"{url}/web/api/assignments", token=issue_token("A001", SECRET)
        )
    items = json.loads(body)["assignments"]
    assert [(i["scenario_id"], i["overdue"], i["done"]) for i in items] == [
        ("bargain_sofa", True, False),
        ("gift_housewarming", False, False),
    ]
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", items[0]["due_text"])
    assert items[1]["title"] == scenario_library().get("gift_housewarming").title


async def test_conversation_is_empty_without_a_running_practice(store, dist):
    async with serve_channels([web_channel(store, dist)]) as url:
        status, _, body = await fetch(
            f"{url}/web/api/conversation", token=issue_token("A001", SECRET)
        )
    assert status == 200 and json.loads(body) == {
        "active": False,
        "messages": [],
    }


# -- pages, assets and headers ---------------------------------------------------


def csp_of(headers: CIMultiDict) -> Dict[str, str]:
    return {
        part.split(" ", 1)[0]: part.split(" ", 1)[1]
        for part in headers["Content-Security-Policy"].split("; ")
    }


@pytest.mark.parametrize("page", ["/web/", "/web/embed.html"])
async def test_pages_run_only_their_own_nonce_script_and_local_files(store, dist, page):
    async with serve_channels([web_channel(store, dist)]) as url:
        status, headers, body = await fetch(url + page)
    html = body.decode("utf-8")
    csp = csp_of(headers)
    nonce = re.search(r"'nonce-([^']+)'", csp["script-src"]).group(1)
    assert status == 200
    assert f'<script nonce="{nonce}">DaogouWidget.init(' in html
    assert '<script src="/web/widget.js"></script>' in html
    assert "http" not in csp["script-src"] + csp["default-src"] + csp["connect-src"]
    assert csp["object-src"] == "'none'" and csp["frame-ancestors"] == "'self'"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    # No CDN anywhere on the page.
    assert not re.search(r"(src|href)=\"(https?:)?//", html)


async def test_each_page_view_gets_a_fresh_nonce(store, dist):
    async with serve_channels([web_channel(store, dist)]) as url:
        first = csp_of((await fetch(f"{url}/web/"))[1])["script-src"]
        second = csp_of((await fetch(f"{url}/web/"))[1])["script-src"]
    assert first != second


async def test_embed_page_shows_the_snippet_as_text(store, dist):
    async with serve_channels([web_channel(store, dist)]) as url:
        _, _, body = await fetch(f"{url}/web/embed.html")
    html = body.decode("utf-8")
    snippet = f"&lt;script src=&#34;{url}/web/widget.js&#34;&gt;&lt;/script&gt;"
    assert snippet in html
    assert "DaogouWidget.init({server: &#34;" in html


async def test_frame_ancestors_follow_the_setting(store, dist):
    channel = web_channel(store, dist, "'self' https://lms.example.com")
    async with serve_channels([channel]) as url:
        page = csp_of((await fetch(f"{url}/web/"))[1])
        api = csp_of((await fetch(f"{url}/web/api/me"))[1])
    assert page["frame-ancestors"] == "'self' https://lms.example.com"
    assert api["frame-ancestors"] == "'self' https://lms.example.com"


async def test_web_without_slash_redirects_to_the_page(store, dist):
    async with serve_channels([web_channel(store, dist)]) as url:
        status, headers, _ = await fetch(f"{url}/web")
    assert status == 301 and headers["Location"] == "/web/"


async def test_widget_bundle_is_served_gzipped_with_an_etag(store, dist):
    async with serve_channels([web_channel(store, dist)]) as url:
        status, headers, body = await fetch(
            f"{url}/web/widget.js", headers={"Accept-Encoding": "gzip"}
        )
        again, _, _ = await fetch(
            f"{url}/web/widget.js", headers={"If-None-Match": headers["ETag"]}
        )
        plain_status, plain_headers, plain = await fetch(
            f"{url}/web/widget.css", headers={"Accept-Encoding": "identity"}
        )
    assert status == 200 and headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(body) == WIDGET_JS
    assert headers["Content-Type"].startswith("application/javascript")
    assert again == 304
    assert plain_status == 200 and plain == b".dg-app{display:flex}"
    assert plain_headers["Content-Type"].startswith("text/css")


@pytest.mark.parametrize(
    "path",
    [
        "/web/dashboard.js",
        "/web/charts.js",  # not built in this test's dist/
        "/web/..%2f..%2fcredentials.yml",
        "/web/%2e%2e/%2e%2e/credentials.yml",
        "/web/widget.js.map",
    ],
)
async def test_only_the_trainee_bundles_are_served(store, dist, path):
    async with serve_channels([web_channel(store, dist)]) as url:
        status, _, body = await fetch(url + path)
    assert status == 404
    assert b"trainers only" not in body and b"rest" not in body
