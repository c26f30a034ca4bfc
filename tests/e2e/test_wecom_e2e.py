"""A whole practice through encrypted WeCom callbacks, the real servers and the fake WeCom API."""

import re
import time
import urllib.error
import urllib.request
import uuid

from actions.records import Records, reports
from tests.e2e.play import good_reply, scenario
from tests.wecom.encrypt import CallbackEncrypter

SCENARIO = "bargain_sofa"


class WeComUser:
    """One staff member typing in the self-built app; every message is a signed callback."""

    def __init__(self, stack, fake, settings):
        self.stack, self.fake = stack, fake
        self.userid = "wx-" + uuid.uuid4().hex[:8]
        self.encrypter = CallbackEncrypter(
            settings["WECOM_TOKEN"],
            settings["WECOM_AES_KEY"],
            settings["WECOM_CORP_ID"],
        )

    def post(self, callback) -> int:
        query = "&".join(f"{k}={v}" for k, v in callback.params.items())
        req = urllib.request.Request(
            f"{self.stack.url}/webhooks/wecom/webhook?{query}",
            data=callback.body.encode("utf-8"),
            headers={"Content-Type": "text/xml"},
        )
        try:
            with urllib.request.urlopen(req, timeout=10) as resp:
                assert resp.read() == b""
                return resp.status
        except urllib.error.HTTPError as err:
            return err.code

    def say(self, content: str, msg_id: str | None = None, repeats: int = 1) -> str:
        before = len(self.fake.contents_to(self.userid))
        callback = self.encrypter.text_callback(
            self.userid, content, msg_id or uuid.uuid4().hex[:16]
        )
        for _ in range(repeats):
            assert self.post(callback) == 200
        return self.wait_reply(before)

    def wait_reply(self, before: int) -> str:
        for _ in range(300):
            sent = self.fake.contents_to(self.userid)
            if len(sent) > before:
                return "\n".join(sent[before:])
            time.sleep(0.1)
        raise TimeoutError("no WeCom reply")


def test_whole_practice_over_wecom(stack, fake_wecom, wecom_settings):
    user = WeComUser(stack, fake_wecom, wecom_settings)
    before = len(fake_wecom.contents_to(user.userid))
    assert user.post(user.encrypter.enter_agent_callback(user.userid)) == 200
    welcome = user.wait_reply(before)
    assert "导购陪练" in welcome and "回复数字选择" in welcome

    number = re.search(r"(\d+)\. 开始练习", welcome).group(1)
    menu = user.say(number)
    play = scenario(SCENARIO)
    number = re.search(
        rf"(\d+)\. 【{play.difficulty}】{re.escape(play.title)}", menu
    ).group(1)
    opening = user.say(number)
    assert play.customer.name in opening and "**" not in opening

    # WeCom retries a slow callback up to 3 times with the same MsgId: scored once.
    first = play.turns[0]
    answer = user.say(
        good_reply(first.situation, first.context), msg_id="retry-1", repeats=4
    )
    assert "得分" in answer
    for turn in play.turns[1:]:
        answer = user.say(good_reply(turn.situation, turn.context))
    assert "【练习报告】" in answer and "✔ 通过" in answer
    assert all(
        len(m.encode("utf-8")) <= 2048 for m in fake_wecom.contents_to(user.userid)
    )

    store = Records(stack.records_url)
    (attempt,) = reports.trainee_attempts(store, user.userid)
    assert attempt.trainee_id == user.userid and attempt.status == "completed"
    replies = reports.attempt_transcript(store, attempt.attempt_id).replies
    assert [r.turn_index for r in replies] == list(range(len(play.turns)))


def test_forged_signature_is_refused(stack, fake_wecom, wecom_settings):
    user = WeComUser(stack, fake_wecom, wecom_settings)
    callback = user.encrypter.text_callback(user.userid, "能便宜点吗", "forged-1")
    callback.params["msg_signature"] = "0" * 40
    assert user.post(callback) == 403


def test_expired_token_is_refreshed(stack, fake_wecom, wecom_settings):
    user = WeComUser(stack, fake_wecom, wecom_settings)
    fetches = fake_wecom.token_fetches
    user.say("能便宜点吗")
    fake_wecom.expire_tokens()
    assert "统一定价" in user.say("打个折吧")
    assert fake_wecom.token_fetches >= fetches + 1
