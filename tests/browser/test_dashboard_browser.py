"""A trainer uses the dashboard in a real browser (chromium, headless) against the
real servers: logs in, reads a transcript whose replies carry HTML, overrides a
score, sees the trainee's total change, assigns an exam and exports CSV."""

from __future__ import annotations

import csv
import io
import json

import pytest

from actions.records import Records, reports
from tests.browser import dashboard_fixtures as fx
from tests.browser.dashboard_fixtures import (
    DESKTOP,
    PHONE,
    SCENARIO_ID,
    SCREENSHOTS,
    TRAINER_NAME,
    log_in,
    new_page,
    screenshot,
)
from tests.e2e.play import texts

# `stack` and `chromium` come from tests/browser/conftest.py; these two from
# dashboard_fixtures.
trainer_password = fx.trainer_password
played_attempt = fx.played_attempt


def rounded_mean(total: int, count: int) -> int:
    return (2 * total + count) // (2 * count)


def navigation_ms(page) -> int:
    """Milliseconds from navigation start until the page's load event (charts drawn)."""
    return round(
        page.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd")
    )


def page_load_ms(page, url: str) -> int:
    page.goto(url)
    page.wait_for_selector("[data-chart-ready='true']")
    return navigation_ms(page)


def record_timings(label: str, timings: dict) -> None:
    path = SCREENSHOTS.parent / "dashboard-timings.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    known = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    known[label] = timings
    path.write_text(json.dumps(known, indent=2), encoding="utf-8")


def no_csp_violations(page) -> None:
    assert page.evaluate("window.__cspViolations") == []


def test_trainees_and_strangers_cannot_open_the_dashboard(
    chromium, stack, played_attempt
):
    page = new_page(chromium, DESKTOP)
    base = stack.url
    page.goto(f"{base}/dashboard/attempts/{played_attempt.attempt_id}")
    assert "/dashboard/login" in page.url
    assert played_attempt.trainee_id not in page.content()
    # A trainee's signed web token (from the widget's login) is not a trainer
    # session, whether sent as the session cookie or as a bearer token.
    status, body = stack.post(
        "/web/api/login", {"staff_no": "B-TOKEN-1", "name": "学员甲"}
    )
    assert status == 200, body[:200]
    trainee_token = json.loads(body)["token"]
    page.context.add_cookies(
        [{"name": "dash_session", "value": trainee_token, "url": base}]
    )
    page.set_extra_http_headers({"Authorization": f"Bearer {trainee_token}"})
    for path in ("/dashboard/", "/dashboard/export/attempts.csv"):
        page.goto(f"{base}{path}")
        assert "/dashboard/login" in page.url
    page.set_extra_http_headers({})
    page.fill("input[name=username]", TRAINER_NAME)
    page.fill("input[name=password]", "not-the-password")
    page.click("button[type=submit]")
    assert "用户名或密码不正确" in page.inner_text(".flash.error")
    page.context.close()


@pytest.mark.parametrize("viewport, label", [(PHONE, "phone"), (DESKTOP, "desktop")])
def test_login_overview_and_trainee_pages_render_with_charts(
    chromium, stack, trainer_password, played_attempt, viewport, label
):
    page = new_page(chromium, viewport)
    base = stack.url
    page.goto(f"{base}/dashboard/")
    page.wait_for_selector("input[name=username]")
    screenshot(page, f"login-{label}")
    log_in(page, base, trainer_password)

    page.wait_for_selector("[data-chart='chart-activity'] canvas")
    page.wait_for_selector("[data-chart='chart-scenarios'] canvas")
    page.wait_for_selector("[data-chart='chart-weakest'] canvas")
    assert page.inner_text("h1") == "团队概览"
    screenshot(page, f"overview-{label}")
    no_csp_violations(page)
    # Nothing sticks out sideways on a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]

    timings = {"overview": page_load_ms(page, f"{base}/dashboard/")}
    page.goto(f"{base}/dashboard/trainee?id={played_attempt.trainee_id}")
    page.wait_for_selector("[data-chart='chart-trend'] canvas")
    timings["trainee"] = navigation_ms(page)
    screenshot(page, f"trainee-{label}")
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]

    page.goto(f"{base}/dashboard/scenarios")
    assert page.locator("#scenario-list tbody tr").count() >= 14
    assert page.locator("text=✓ 通过检查").count() >= 14
    timings["scenarios"] = navigation_ms(page)
    screenshot(page, f"scenarios-{label}")
    no_csp_violations(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    page.context.close()
    record_timings(label, timings)
    # Issue 5 asks for ≤ 1 s on localhost; the bound here leaves room for a busy CI
    # machine, the measured values are kept in var/artifacts for the benchmark note.
    assert max(timings.values()) < 3000, timings


def test_transcript_shows_html_as_text_and_override_changes_the_total(
    chromium, stack, trainer_password, played_attempt
):
    base = stack.url
    store = Records(stack.records_url)
    trainee = played_attempt.trainee_id
    before = store.get_attempt(played_attempt.attempt_id)
    transcript = reports.attempt_transcript(store, played_attempt.attempt_id)
    finals = [r for r in transcript.replies if r.final]
    target = finals[0]
    new_score = 20 if target.effective_score > 50 else 95
    expected_total = rounded_mean(
        sum(r.effective_score for r in finals) - target.effective_score + new_score,
        before.turn_count,
    )
    assert expected_total != before.total_score
    trainee_view_before = texts(stack.send(trainee, "/my_results"))
    assert f"{before.total_score}分" in trainee_view_before

    page = new_page(chromium, DESKTOP)
    log_in(page, base, trainer_password)
    page.goto(f"{base}/dashboard/attempts/{played_attempt.attempt_id}")
    reply_texts = page.locator(".reply-text").all_inner_texts()
    assert played_attempt.script_reply in reply_texts
    assert played_attempt.img_reply in reply_texts
    assert page.locator(".reply-text img, .reply-text script").count() == 0
    assert page.evaluate("window.__pwned === undefined")
    assert page.inner_text("#attempt-total") == str(before.total_score)

    reply = page.locator(f"#reply-{target.reply_id}")
    reply.locator("summary").click()
    reply.locator("input[name=new_score]").fill(str(new_score))
    comment = "顾客先问价时已致歉并说明统一定价 <b>系统误判</b>"
    reply.locator("textarea[name=comment]").fill(comment)
    screenshot(page, "override-form-desktop")
    reply.locator("button[type=submit]").click()
    page.wait_for_selector(".flash.ok")
    # The page scrolls back to the reply and says so there, with the new total.
    notice = reply.locator(".flash.ok").inner_text()
    assert "分数已调整" in notice and f"当前总分 {expected_total}" in notice
    assert page.inner_text("#attempt-total") == str(expected_total)
    history = page.locator(f"#reply-{target.reply_id} .override-entry").inner_text()
    assert f"{target.effective_score} → {new_score}" in history
    assert comment in history and TRAINER_NAME in history
    assert page.evaluate("window.__pwned === undefined")
    screenshot(page, "attempt-desktop")
    no_csp_violations(page)

    after = store.get_attempt(played_attempt.attempt_id)
    assert after.total_score == expected_total
    (override,) = store.overrides_for(target.reply_id)
    assert override.new_score == new_score and override.trainer == TRAINER_NAME
    # The trainee sees the corrected total in their own results.
    trainee_view_after = texts(stack.send(trainee, "/my_results"))
    assert f"{expected_total}分" in trainee_view_after

    phone = new_page(chromium, PHONE)
    log_in(phone, base, trainer_password)
    phone.goto(f"{base}/dashboard/attempts/{played_attempt.attempt_id}")
    assert phone.inner_text("#attempt-total") == str(expected_total)
    screenshot(phone, "attempt-phone")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    phone.context.close()
    page.context.close()
    store.close()


def test_exam_assignment_and_csv_export(
    chromium, stack, trainer_password, played_attempt
):
    base = stack.url
    page = new_page(chromium, PHONE)
    log_in(page, base, trainer_password)
    page.goto(f"{base}/dashboard/exams")
    page.select_option("select[name=scenario_id]", SCENARIO_ID)
    page.check(f"input[name=trainee_ids][value='{played_attempt.trainee_id}']")
    page.fill("input[name=due_date]", "2099-12-31")
    page.click("#assign-form button[type=submit]")
    page.wait_for_selector(".flash.ok")
    assert "考试已布置" in page.inner_text(".flash.ok")
    assert played_attempt.trainee_id in page.inner_text("#open-assignments")
    screenshot(page, "exams-phone")
    store = Records(stack.records_url)
    (assignment,) = store.assignments_for(played_attempt.trainee_id)
    assert assignment.scenario_id == SCENARIO_ID and not assignment.done
    assert assignment.assigned_by == TRAINER_NAME

    page.goto(f"{base}/dashboard/export")
    page.select_option("select[name=trainee]", played_attempt.trainee_id)
    screenshot(page, "export-phone")
    with page.expect_download() as attempts_download:
        page.click("#export-attempts")
    with page.expect_download() as replies_download:
        page.click("#export-replies")
    attempts_csv = open(attempts_download.value.path(), "rb").read()
    replies_csv = open(replies_download.value.path(), "rb").read()
    for body in (attempts_csv, replies_csv):
        assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(attempts_csv.decode("utf-8-sig"))))
    (row,) = rows
    total = store.get_attempt(played_attempt.attempt_id).total_score
    assert row["练习编号"] == played_attempt.attempt_id
    assert row["学员编号"] == played_attempt.trainee_id
    assert row["总分"] == str(total)
    reply_rows = list(csv.DictReader(io.StringIO(replies_csv.decode("utf-8-sig"))))
    assert {r["学员回复"] for r in reply_rows} >= {
        played_attempt.script_reply,
        played_attempt.img_reply,
    }
    store.close()

    page.click("button:has-text('退出')")
    page.wait_for_url(f"{base}/dashboard/login?notice=logged_out")
    page.goto(f"{base}/dashboard/")
    assert "/dashboard/login" in page.url
    page.context.close()
