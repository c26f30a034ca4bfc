"""Callback crypto against Tencent's official sample vectors and an independent encrypter."""

from __future__ import annotations

from typing import Any, Dict

import pytest

from channels.wecom.crypto import (
    CallbackCrypto,
    ForgedSignatureError,
    MalformedCallbackError,
    WrongReceiverError,
)
from channels.wecom.messages import parse_message

from . import encrypt as independent
from .encrypt import CallbackEncrypter


@pytest.fixture
def crypto(vectors: Dict[str, Any]) -> CallbackCrypto:
    return CallbackCrypto(
        vectors["token"], vectors["encoding_aes_key"], vectors["corp_id"]
    )


def test_official_url_verification_vector(
    crypto: CallbackCrypto, vectors: Dict[str, Any]
) -> None:
    case = vectors["url_verification"]
    plaintext = crypto.verify_url(
        case["msg_signature"], case["timestamp"], case["nonce"], case["echostr"]
    )
    assert plaintext == case["plaintext"]


def test_official_message_vector(
    crypto: CallbackCrypto, vectors: Dict[str, Any]
) -> None:
    case = vectors["message"]
    plaintext = crypto.decrypt_callback(
        case["body"], case["msg_signature"], case["timestamp"], case["nonce"]
    )
    assert plaintext == case["plaintext"]
    message = parse_message(plaintext)
    assert (message.from_user, message.content, message.msg_id) == (
        "ChenJiaShun",
        "你好",
        "1456453720",
    )


@pytest.mark.parametrize(
    "case_name, ciphertext_field",
    [("url_verification", "echostr"), ("message", "body")],
)
def test_independent_encrypter_reproduces_official_vectors_byte_for_byte(
    vectors: Dict[str, Any], case_name: str, ciphertext_field: str
) -> None:
    case = vectors[case_name]
    ciphertext = independent.encrypt(
        case["plaintext"],
        vectors["encoding_aes_key"],
        vectors["corp_id"],
        random_prefix=case["random_prefix"].encode("ascii"),
    )
    expected = case[ciphertext_field]
    if case_name == "message":
        expected = expected.split("<Encrypt><![CDATA[")[1].split("]]>")[0]
    assert ciphertext == expected
    signature = independent.signature(
        vectors["token"], case["timestamp"], case["nonce"], ciphertext
    )
    assert signature == case["msg_signature"]


@pytest.mark.parametrize(
    "content",
    [
        "你好",
        "",
        "橱柜统一定价，价格已经是最低了。" * 40,
        "含 ]]> 的文字和 emoji 👍🏻 以及 <tag>",
    ],
)
def test_library_decrypts_independently_encrypted_messages(
    crypto: CallbackCrypto, encrypter: CallbackEncrypter, content: str
) -> None:
    callback = encrypter.text_callback("zhangsan", content, msg_id="42")
    plaintext = crypto.decrypt_callback(
        callback.body,
        callback.params["msg_signature"],
        callback.params["timestamp"],
        callback.params["nonce"],
    )
    assert parse_message(plaintext).content == content.strip()


@pytest.mark.parametrize("length", range(1, 33))
def test_padding_round_trip_for_every_length_modulo_block(
    crypto: CallbackCrypto, encrypter: CallbackEncrypter, length: int
) -> None:
    # 32 consecutive lengths cover every PKCS#7 pad size, including a full block.
    echo = "x" * length
    params = encrypter.url_verification(echo)
    plaintext = crypto.verify_url(
        params["msg_signature"], params["timestamp"], params["nonce"], params["echostr"]
    )
    assert plaintext == echo


def test_forged_signature_is_refused(
    crypto: CallbackCrypto, encrypter: CallbackEncrypter
) -> None:
    callback = encrypter.text_callback("zhangsan", "你好", msg_id="1")
    with pytest.raises(ForgedSignatureError):
        crypto.decrypt_callback(
            callback.body, "0" * 40, callback.params["timestamp"], "1"
        )


def test_tampered_timestamp_breaks_signature(
    crypto: CallbackCrypto, vectors: Dict[str, Any]
) -> None:
    case = vectors["url_verification"]
    with pytest.raises(ForgedSignatureError):
        crypto.verify_url(
            case["msg_signature"], "1476416374", case["nonce"], case["echostr"]
        )


def test_other_corp_id_is_refused(
    crypto: CallbackCrypto, encrypter: CallbackEncrypter
) -> None:
    callback = encrypter.callback(
        independent.text_message_xml("ww_other", "zhangsan", "你好", "1"),
        receive_id="ww_other_corp",
    )
    with pytest.raises(WrongReceiverError):
        crypto.decrypt_callback(
            callback.body,
            callback.params["msg_signature"],
            callback.params["timestamp"],
            callback.params["nonce"],
        )


@pytest.mark.parametrize(
    "body",
    [
        "",
        "not xml at all",
        "<xml><ToUserName>x</ToUserName></xml>",
        "<xml><Encrypt>a</Encrypt><Encrypt>b</Encrypt></xml>",
        '<!DOCTYPE xml [<!ENTITY e "boom">]><xml><Encrypt>&e;</Encrypt></xml>',
        "<xml><Encrypt><![CDATA[",
    ],
)
def test_unreadable_bodies_are_malformed(crypto: CallbackCrypto, body: str) -> None:
    with pytest.raises(MalformedCallbackError):
        crypto.decrypt_callback(body, "0" * 40, "1", "1")


@pytest.mark.parametrize(
    "ciphertext",
    ["!!!!", "c2hvcnQ=", "QUFBQUFBQUFBQUFBQUFBQQ=="],  # junk, 5 bytes, 16 bytes
)
def test_correctly_signed_garbage_is_malformed(
    crypto: CallbackCrypto, vectors: Dict[str, Any], ciphertext: str
) -> None:
    signature = independent.signature(vectors["token"], "1", "2", ciphertext)
    body = f"<xml><Encrypt><![CDATA[{ciphertext}]]></Encrypt></xml>"
    with pytest.raises(MalformedCallbackError):
        crypto.decrypt_callback(body, signature, "1", "2")


def test_unencoded_plus_in_echostr_still_verifies(
    crypto: CallbackCrypto, vectors: Dict[str, Any]
) -> None:
    case = vectors["url_verification"]
    assert "+" in case["echostr"]
    as_form_decoded = case["echostr"].replace("+", " ")
    assert (
        crypto.verify_url(
            case["msg_signature"], case["timestamp"], case["nonce"], as_form_decoded
        )
        == case["plaintext"]
    )
