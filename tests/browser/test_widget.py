"""A trainee in a real browser: sign in, pick a scenario, play it, read feedback and the report,
reload mid-scenario, see markup they typed shown as text, and resend a reply the server could not
handle. Screenshots go to
var/artifacts/screenshots/ (390×844 phone, 1280×800 desktop)."""

from __future__ import annotations

import uuid
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from typing import Iterator, List

import pytest
from playwright.sync_api import Page, expect

from actions.records import Records
from actions.services import scenario_library
from tests.browser.conftest import DESKTOP, PHONE
from tests.e2e.play import good_reply, scenario

SCENARIO = "bargain_sofa"
RED = "rgb(220, 38, 38)"
WAIT_MS = 90_000  # one bot turn on a busy CI machine
# Markup inside an otherwise ordinary reply, so it is scored (bare markup is parsed as a command).
MARKUP_REPLY = '实在对不起,<script>window.__xss = 2</script>价格已经一步到位了<img src=x onerror="window.__xss = 3">'

expect.set_options(timeout=WAIT_MS)


def unique(prefix: str) -> str:
    return prefix + uuid.uuid4().hex[:7].upper()


class Trainee:
    """The practice page in one browser tab, with its console watched for errors."""

    def __init__(self, chromium, base_url: str, viewport: dict) -> None:
        self.context = chromium.new_context(
            viewport=viewport,
            locale="zh-CN",
            is_mobile=viewport["width"] < 500,
            has_touch=viewport["width"] < 500,
        )
        self.page: Page = self.context.new_page()
        self.base_url = base_url
        self.errors: List[str] = []
        self.page.on(
            "console",
            lambda message: message.type == "error"
            and self.errors.append(message.text),
        )
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))

    def open(self, path: str = "/web/") -> "Trainee":
        self.page.goto(self.base_url + path)
        return self

    def login(self, staff_no: str, name: str) -> None:
        self.page.fill("input[name=staff_no]", staff_no)
        self.page.fill("input[name=name]", name)
        self.page.click("button[type=submit]")
        expect(self.page.locator(".dg-scenario").first).to_be_visible()

    def pick(self, scenario_id: str) -> None:
        self.page.click(f".dg-scenario[data-scenario={scenario_id}]")
        expect(self.page.locator(".dg-bubble-customer").first).to_be_visible()

    def reply(self, text: str) -> None:
        """Types a reply and waits for its feedback card."""
        cards = self.page.locator(".dg-feedback")
        before = cards.count()
        self.page.fill("input[name=reply]", text)
        self.page.press("input[name=reply]", "Enter")
        expect(cards).to_have_count(before + 1)

    def shot(self, screenshots, name: str) -> None:
        self.page.wait_for_timeout(400)  # let the typing indicator and charts settle
        self.page.screenshot(path=str(screenshots / f"{name}.png"))

    def close(self) -> None:
        self.context.close()
        assert self.errors == [], self.errors


@pytest.fixture
def phone(chromium, stack):
    trainee = Trainee(chromium, stack.url, PHONE)
    yield trainee
    trainee.close()


@pytest.fixture
def desktop(chromium, stack):
    trainee = Trainee(chromium, stack.url, DESKTOP)
    yield trainee
    trainee.close()


def test_trainee_plays_a_whole_scenario_and_reads_feedback_and_report(
    stack, phone, screenshots
):
    staff_no = unique("P")
    store = Records(stack.records_url)
    now = datetime.now(timezone.utc)
    store.assign_exam(SCENARIO, [staff_no], now - timedelta(days=2), "李老师")
    store.assign_exam("gift_housewarming", [staff_no], now + timedelta(days=5), "李老师")
    page = phone.page

    phone.open()
    expect(page.locator("input[name=staff_no]")).to_be_visible()
    phone.shot(screenshots, "login-phone")
    phone.login(staff_no, "李小红")
    expect(page.locator(".dg-scenario")).to_have_count(len(scenario_library()))
    overdue = page.locator(".dg-exam.dg-overdue")
    expect(overdue).to_have_count(1)
    expect(overdue).to_contain_text("已逾期")
    expect(overdue.locator(".dg-exam-state")).to_have_css("color", RED)
    expect(page.locator(".dg-exam:not(.dg-overdue)")).to_contain_text("待完成")
    phone.shot(screenshots, "picker-phone")

    play = scenario(SCENARIO)
    phone.pick(SCENARIO)
    expect(page.locator(".dg-intro")).to_contain_text(play.title)
    expect(page.locator(".dg-persona-name")).to_have_text(play.customer.name)
    expect(page.locator(".dg-patience")).to_have_attribute(
        "title", f"耐心 {play.patience}/{play.patience}"
    )
    phone.shot(screenshots, "chat-phone")

    # A reply that promises a discount: missed points with the manual's wording, rule in red.
    phone.reply("行吧,给你打个九折。")
    first = page.locator(".dg-feedback").first
    expect(first).to_contain_text("✘ 未达标")
    expect(first.locator(".dg-miss").first).to_contain_text("可以说")
    expect(first.locator(".dg-violation")).to_have_css("color", RED)
    expect(first).to_contain_text("标准话术")
    expect(first).to_contain_text("手册出处")
    expect(page.locator(".dg-patience")).to_have_attribute(
        "title", f"耐心 {play.patience - 1}/{play.patience}"
    )
    first.scroll_into_view_if_needed()
    phone.shot(screenshots, "feedback-phone")

    for index, turn in enumerate(play.turns):
        phone.reply(good_reply(turn.situation, turn.context))
        card = page.locator(".dg-feedback").nth(index + 1)
        expect(card).to_contain_text("✔ 达标")
        expect(card.locator(".dg-hit .dg-matched").first).not_to_be_empty()

    report = page.locator(".dg-report")
    expect(report.locator(".dg-total")).to_be_visible()
    expect(report).to_contain_text("✔ 通过")
    expect(report.locator(".dg-improve li")).not_to_have_count(0)
    assert report.locator(".dg-improve li").count() <= 3
    expect(report.locator(".dg-chart svg")).to_have_count(2)
    report.scroll_into_view_if_needed()
    phone.shot(screenshots, "report-phone")

    page.get_by_role("button", name="我的成绩").click()
    expect(page.locator(".dg-attempt")).to_have_count(1)
    expect(page.locator(".dg-attempt")).to_contain_text("通过")
    expect(page.locator(".dg-history .dg-chart svg")).to_have_count(1)
    phone.shot(screenshots, "history-phone")


def test_reload_mid_scenario_resumes_the_same_conversation(stack, desktop, screenshots):
    page = desktop.page
    play = scenario(SCENARIO)
    desktop.open()
    desktop.login(unique("R"), "王大伟")
    desktop.shot(screenshots, "picker-desktop")
    desktop.pick(SCENARIO)
    first_answer = good_reply(play.turns[0].situation, play.turns[0].context)
    desktop.reply(first_answer)
    expect(page.locator(".dg-bubble-customer")).to_have_count(2)
    second_line = page.locator(".dg-bubble-customer .dg-said").nth(1).text_content()

    page.reload()
    expect(page.locator(".dg-app")).to_have_attribute("data-view", "chat")
    expect(page.locator(".dg-feedback")).to_have_count(1)
    expect(page.locator(".dg-bubble-trainee")).to_have_text([first_answer])
    expect(page.locator(".dg-bubble-customer .dg-said").nth(1)).to_have_text(
        second_line
    )
    expect(page.locator(".dg-persona-sub")).to_contain_text(f"第2/{len(play.turns)}轮")
    desktop.shot(screenshots, "chat-desktop")

    for turn in play.turns[1:]:
        desktop.reply(good_reply(turn.situation, turn.context))
    expect(page.locator(".dg-report")).to_contain_text("✔ 通过")
    expect(page.locator(".dg-report .dg-chart svg")).to_have_count(2)
    page.locator(".dg-report").scroll_into_view_if_needed()
    desktop.shot(screenshots, "report-desktop")


def test_markup_typed_by_a_trainee_is_shown_as_text(stack, phone, screenshots):
    page = phone.page
    name = "<img src=x onerror=__xss=1>小王"
    phone.open()
    phone.login(unique("X"), name)
    expect(page.locator(".dg-who")).to_contain_text(name)
    phone.pick(SCENARIO)
    phone.reply(MARKUP_REPLY)
    bubble = page.locator(".dg-bubble-trainee .dg-said").last
    expect(bubble).to_have_text(MARKUP_REPLY)
    assert page.locator(".dg-app img, .dg-app script").count() == 0
    assert page.evaluate("window.__xss") is None
    phone.shot(screenshots, "markup-as-text-phone")

    page.reload()
    expect(page.locator(".dg-bubble-trainee .dg-said").last).to_have_text(MARKUP_REPLY)
    page.locator(".dg-act-stop_practice").click()
    page.get_by_role("button", name="查看逐句记录").click()
    expect(page.locator(".dg-turn-reply").first).to_have_text(f"我:{MARKUP_REPLY}")
    assert page.locator(".dg-app img, .dg-app script").count() == 0
    assert page.evaluate("window.__xss") is None


@contextmanager
def action_server_down(stack) -> Iterator[None]:
    stack._stop_proc(0)  # procs are [action server, rasa server]
    try:
        yield
    finally:
        stack.start_actions()
        stack.procs.insert(0, stack.procs.pop())  # keep that order for the next tests


def test_a_reply_the_server_could_not_handle_is_offered_again(
    stack, phone, screenshots
):
    page = phone.page
    play = scenario(SCENARIO)
    answer = good_reply(play.turns[0].situation, play.turns[0].context)
    phone.open()
    phone.login(unique("F"), "赵小军")
    phone.pick(SCENARIO)
    notice = page.locator(".dg-notice")
    with action_server_down(stack):
        page.fill("input[name=reply]", answer)
        page.press("input[name=reply]", "Enter")
        expect(notice).to_contain_text("服务暂时不可用")
        expect(page.locator(".dg-unsent .dg-bubble-trainee")).to_have_text(answer)
        expect(page.locator(".dg-unsent")).to_contain_text("未送达")
        expect(page.locator(".dg-typing")).to_have_count(0)
        phone.shot(screenshots, "message-error-phone")
    assert page.locator(".dg-feedback").count() == 0
    page.get_by_role("button", name="重新发送").click()
    expect(page.locator(".dg-feedback")).to_have_count(1)
    expect(page.locator(".dg-feedback")).to_contain_text("✔ 达标")
    expect(notice).to_have_count(0)
    expect(page.locator(".dg-bubble-trainee")).to_have_text([answer])


def test_embed_page_shows_one_script_and_an_init_call(stack, desktop, screenshots):
    page = desktop.page
    desktop.open("/web/embed.html")
    code = page.locator(".dg-demo-code pre").text_content()
    assert f'<script src="{stack.url}/web/widget.js"></script>' in code
    assert f'DaogouWidget.init({{server: "{stack.url}", container: "#chat"}})' in code
    expect(page.locator("#chat input[name=staff_no]")).to_be_visible()
    desktop.shot(screenshots, "embed-desktop")
    # Without a container: a floating button in the corner opens the widget in a panel.
    page.evaluate("() => DaogouWidget.init({})")
    panel = page.locator(".dg-floating .dg-panel")
    expect(panel).to_be_hidden()
    page.locator(".dg-floating .dg-launcher").click()
    expect(panel.locator("input[name=staff_no]")).to_be_visible()
