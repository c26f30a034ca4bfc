"""Independent WeCom callback encrypter for tests (not wechatpy, so it checks it).

Follows Tencent's callback spec: AES-256-CBC, key = base64(EncodingAESKey + "="),
IV = key[:16], plaintext = random(16) + len(msg) as 4-byte big-endian + msg +
receiveid, PKCS#7 padded to 32-byte blocks; msg_signature = SHA1 of the sorted
concatenation of token, timestamp, nonce and the ciphertext.
"""

from __future__ import annotations

import base64
import hashlib
import os
import struct
from dataclasses import dataclass
from typing import Dict, Optional

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

BLOCK_SIZE = 32


def aes_key_bytes(encoding_aes_key: str) -> bytes:
    key = base64.b64decode(encoding_aes_key + "=")
    assert len(key) == 32, "EncodingAESKey must decode to 32 bytes"
    return key


def pkcs7_pad(data: bytes) -> bytes:
    pad = BLOCK_SIZE - len(data) % BLOCK_SIZE
    return data + bytes([pad]) * pad


def pkcs7_unpad(data: bytes) -> bytes:
    pad = data[-1]
    if not 1 <= pad <= BLOCK_SIZE or data[-pad:] != bytes([pad]) * pad:
        raise ValueError("bad PKCS#7 padding")
    return data[:-pad]


def encrypt(
    plaintext: str,
    encoding_aes_key: str,
    receive_id: str,
    random_prefix: Optional[bytes] = None,
) -> str:
    """Base64 ciphertext of `plaintext` addressed to `receive_id`."""
    key = aes_key_bytes(encoding_aes_key)
    random_prefix = os.urandom(16) if random_prefix is None else random_prefix
    assert len(random_prefix) == 16
    message = plaintext.encode("utf-8")
    packed = (
        random_prefix
        + struct.pack(">I", len(message))
        + message
        + receive_id.encode("utf-8")
    )
    encryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).encryptor()
    ciphertext = encryptor.update(pkcs7_pad(packed)) + encryptor.finalize()
    return base64.b64encode(ciphertext).decode("ascii")


def decrypt(ciphertext_b64: str, encoding_aes_key: str) -> tuple:
    """(plaintext, receive_id, random_prefix) of a ciphertext."""
    key = aes_key_bytes(encoding_aes_key)
    decryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).decryptor()
    raw = decryptor.update(base64.b64decode(ciphertext_b64)) + decryptor.finalize()
    packed = pkcs7_unpad(raw)
    (length,) = struct.unpack(">I", packed[16:20])
    message = packed[20 : 20 + length].decode("utf-8")
    return message, packed[20 + length :].decode("utf-8"), packed[:16]


def signature(token: str, timestamp: str, nonce: str, encrypted: str) -> str:
    return hashlib.sha1(
        "".join(sorted([token, timestamp, nonce, encrypted])).encode()
    ).hexdigest()


def cdata(text: str) -> str:
    """CDATA section that survives a "]]>" inside the text."""
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def message_xml(
    corp_id: str,
    from_user: str,
    msg_type: str,
    fields: str,
    create_time: int = 1_700_000_000,
    agent_id: str = "1000002",
) -> str:
    """The plaintext XML of a callback: the envelope around the type's own `fields`."""
    return (
        f"<xml><ToUserName>{cdata(corp_id)}</ToUserName>"
        f"<FromUserName>{cdata(from_user)}</FromUserName>"
        f"<CreateTime>{create_time}</CreateTime><MsgType>{cdata(msg_type)}</MsgType>"
        f"{fields}<AgentID>{agent_id}</AgentID></xml>"
    )


def text_message_xml(
    corp_id: str,
    from_user: str,
    content: str,
    msg_id: str,
    create_time: int = 1_700_000_000,
    agent_id: str = "1000002",
) -> str:
    fields = f"<Content>{cdata(content)}</Content><MsgId>{msg_id}</MsgId>"
    return message_xml(corp_id, from_user, "text", fields, create_time, agent_id)


def event_xml(
    corp_id: str,
    from_user: str,
    event: str = "enter_agent",
    create_time: int = 1_700_000_000,
    agent_id: str = "1000002",
) -> str:
    fields = f"<Event>{cdata(event)}</Event><EventKey>{cdata('')}</EventKey>"
    return message_xml(corp_id, from_user, "event", fields, create_time, agent_id)


@dataclass(frozen=True)
class EncryptedCallback:
    """What WeCom POSTs: the query parameters and the XML body."""

    params: Dict[str, str]
    body: str


class CallbackEncrypter:
    """Builds signed, encrypted callbacks exactly as WeCom would send them."""

    def __init__(self, token: str, encoding_aes_key: str, corp_id: str) -> None:
        self.token = token
        self.encoding_aes_key = encoding_aes_key
        self.corp_id = corp_id

    def callback(
        self,
        plaintext_xml: str,
        timestamp: str = "1700000000",
        nonce: str = "1597212914",
        receive_id: Optional[str] = None,
        random_prefix: Optional[bytes] = None,
    ) -> EncryptedCallback:
        encrypted = self._encrypt(plaintext_xml, receive_id, random_prefix)
        body = (
            f"<xml><ToUserName>{cdata(self.corp_id)}</ToUserName>"
            f"<Encrypt>{cdata(encrypted)}</Encrypt>"
            f"<AgentID>{cdata('1000002')}</AgentID></xml>"
        )
        params = self._signed(encrypted, timestamp, nonce)
        return EncryptedCallback(params=params, body=body)

    def url_verification(
        self,
        echo_plaintext: str,
        timestamp: str = "1700000000",
        nonce: str = "47744683",
        receive_id: Optional[str] = None,
    ) -> Dict[str, str]:
        echostr = self._encrypt(echo_plaintext, receive_id)
        return {**self._signed(echostr, timestamp, nonce), "echostr": echostr}

    def _encrypt(
        self,
        plaintext: str,
        receive_id: Optional[str],
        random_prefix: Optional[bytes] = None,
    ) -> str:
        """Addressed to the corp unless a test names another receiver."""
        receiver = self.corp_id if receive_id is None else receive_id
        return encrypt(plaintext, self.encoding_aes_key, receiver, random_prefix)

    def _signed(self, encrypted: str, timestamp: str, nonce: str) -> Dict[str, str]:
        return {
            "msg_signature": signature(self.token, timestamp, nonce, encrypted),
            "timestamp": timestamp,
            "nonce": nonce,
        }

    def text_callback(
        self, from_user: str, content: str, msg_id: str, **kwargs: str
    ) -> EncryptedCallback:
        return self.callback(
            text_message_xml(self.corp_id, from_user, content, msg_id), **kwargs
        )

    def enter_agent_callback(
        self, from_user: str, create_time: int = 1_700_000_000
    ) -> EncryptedCallback:
        return self.callback(
            event_xml(self.corp_id, from_user, create_time=create_time),
            timestamp=str(create_time),
        )
