import pytest

from tests.e2e.stack import Stack
from tests.wecom.fake_api import FakeWeComApi


@pytest.fixture(scope="session")
def wecom_settings():
    """Tencent's sample app settings: the e2e stack serves WeCom with them."""
    return {
        "WECOM_CORP_ID": "ww1436e0e65a779aee",
        "WECOM_AGENT_ID": "1000002",
        "WECOM_SECRET": "e2e-secret",
        "WECOM_TOKEN": "hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo",
        "WECOM_AES_KEY": "6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt",
    }


@pytest.fixture(scope="session")
def fake_wecom(wecom_settings):
    fake = FakeWeComApi(
        corp_id=wecom_settings["WECOM_CORP_ID"], secret=wecom_settings["WECOM_SECRET"]
    )
    fake.start_in_thread()
    yield fake
    fake.stop_thread()


@pytest.fixture(scope="session")
def stack(tmp_path_factory, fake_wecom, wecom_settings):
    """The real action server and Rasa server (REST + WeCom), shared by the e2e tests of one run."""
    running = Stack(
        workdir=tmp_path_factory.mktemp("stack"),
        extra_env={**wecom_settings, "WECOM_API_BASE": fake_wecom.base_url},
    ).start()
    yield running
    running.stop()
