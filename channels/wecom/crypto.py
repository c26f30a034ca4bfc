"""Thin wrapper over wechatpy's WeCom callback crypto that sorts failures by cause.

wechatpy does the signature check (SHA1 over sorted token/timestamp/nonce/ciphertext)
and the AES-256-CBC decryption with the receiveid check; this module only turns its
mixed exceptions into three kinds the HTTP layer maps to 403 or 400.
"""

from __future__ import annotations

from typing import Any, Mapping, Union
from xml.parsers.expat import ExpatError

import xmltodict
from wechatpy.enterprise.crypto import WeChatCrypto
from wechatpy.enterprise.exceptions import InvalidCorpIdException
from wechatpy.exceptions import InvalidSignatureException


class CallbackError(Exception):
    """A callback that must be refused."""


class ForgedSignatureError(CallbackError):
    """msg_signature does not match: not sent by WeCom (or another Token)."""


class WrongReceiverError(CallbackError):
    """Decrypted fine but addressed to another corp id (receiveid)."""


class MalformedCallbackError(CallbackError):
    """Body, XML, base64 or padding cannot be read."""


class CallbackCrypto:
    """Verifies and decrypts callbacks of one app (Token + EncodingAESKey + corp id)."""

    def __init__(self, token: str, aes_key: str, corp_id: str) -> None:
        self._crypto = WeChatCrypto(token, aes_key, corp_id)

    def verify_url(
        self, msg_signature: str, timestamp: str, nonce: str, echostr: str
    ) -> str:
        """Checks a URL verification request and returns the plaintext to echo."""
        # A '+' sent without URL-encoding arrives as a space; base64 has no spaces.
        echostr = echostr.replace(" ", "+")
        try:
            return self._crypto.check_signature(
                msg_signature, timestamp, nonce, echostr
            )
        except InvalidSignatureException as error:
            raise ForgedSignatureError("msg_signature mismatch") from error
        except InvalidCorpIdException as error:
            raise WrongReceiverError("receiveid is not our corp id") from error
        except Exception as error:  # wechatpy leaks binascii/ValueError/IndexError
            raise MalformedCallbackError(
                f"cannot decrypt echostr: {error!r}"
            ) from error

    def decrypt_callback(
        self, body: Union[str, bytes], msg_signature: str, timestamp: str, nonce: str
    ) -> str:
        """Checks an encrypted POST body and returns the inner plaintext XML."""
        encrypted = read_encrypt_field(body)
        try:
            return self._crypto.decrypt_message(
                {"Encrypt": encrypted}, msg_signature, timestamp, nonce
            )
        except InvalidSignatureException as error:
            raise ForgedSignatureError("msg_signature mismatch") from error
        except InvalidCorpIdException as error:
            raise WrongReceiverError("receiveid is not our corp id") from error
        except Exception as error:
            raise MalformedCallbackError(f"cannot decrypt body: {error!r}") from error


def parse_xml(text: Union[str, bytes]) -> Mapping[str, Any]:
    """Parses a WeCom `<xml>…</xml>` document; entity declarations are refused."""
    try:
        document = xmltodict.parse(text, disable_entities=True)
    except (ExpatError, ValueError, TypeError) as error:
        raise MalformedCallbackError(f"not XML: {error}") from error
    root = document.get("xml") if isinstance(document, dict) else None
    if not isinstance(root, dict):
        raise MalformedCallbackError("missing <xml> root element")
    return root


def read_encrypt_field(body: Union[str, bytes]) -> str:
    """Returns the <Encrypt> text of an encrypted callback body."""
    if not body:
        raise MalformedCallbackError("empty body")
    encrypted = parse_xml(body).get("Encrypt")
    if not isinstance(encrypted, str) or not encrypted.strip():
        raise MalformedCallbackError("missing <Encrypt>")
    return encrypted.strip()
