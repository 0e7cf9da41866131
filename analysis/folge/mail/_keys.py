"""Secrets the mail side derives from the study key: sealed tokens and opt-out ids.

The study key (:func:`folge.pseudonym.load_key`) is never used directly. Each purpose gets
its own subkey, ``HMAC-SHA256(study key, "folge-mail/<purpose>")`` (HMAC as a key
derivation function, as in HKDF-Expand with one block; RFC 5869), so a subkey says nothing
about the study key or about another subkey.

Invitation tokens
    The web store keeps only a token's SHA-256, but a reminder must carry the same link as
    the invitation. So the mail side keeps the token *sealed*: AES-256-GCM (NIST SP 800-38D)
    under the ``token-seal/v1`` subkey, a fresh 96-bit random nonce per token, and the
    contact's pseudonym and the wave as associated data, so a sealed token copied to
    another contact's row does not open. Stored as ``v1.`` + URL-safe base64 of
    nonce ‖ ciphertext ‖ tag. A copy of the database without the key opens nothing.

Opt-out ids
    The opt-out link carries ``HMAC-SHA256(optout/v1 subkey, pseudonym)``, 192 bits in
    URL-safe base64 (32 characters): unguessable without the key, the same in every
    message to one contact, and revealing neither the address nor the pseudonym. The store
    keeps its SHA-256 (``contacts.optout_hash``), the form the web side looks it up in.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ..web import optout_hash  # the store's form of an opt-out id; the web app looks it up

__all__ = ["subkey", "seal_token", "open_token", "optout_id", "optout_hash", "SealError"]

_NONCE_BYTES = 12
_VERSION = "v1."


class SealError(ValueError):
    """A sealed token that does not open: another key, another row, or damaged text."""


def subkey(study_key: bytes, purpose: str) -> bytes:
    """The 256-bit key for ``purpose``: HMAC-SHA256(study key, ``"folge-mail/" + purpose``).

    Examples
    --------
    >>> len(subkey(b"k", "token-seal/v1")), subkey(b"k", "a") != subkey(b"k", "b")
    (32, True)
    """
    if not isinstance(study_key, bytes) or not study_key:
        raise TypeError(f"'study_key' must be non-empty bytes (got {type(study_key).__name__})")
    return hmac.new(study_key, f"folge-mail/{purpose}".encode("ascii"), hashlib.sha256).digest()


def _associated(pseudonym: str, wave: str) -> bytes:
    return f"{pseudonym}\x1f{wave}".encode("utf-8")


def seal_token(study_key: bytes, token: str, *, pseudonym: str, wave: str) -> str:
    """The token encrypted for the store (AES-256-GCM, bound to ``pseudonym`` and ``wave``).

    Examples
    --------
    >>> sealed = seal_token(b"k", "abc", pseudonym="p", wave="w")
    >>> sealed.startswith("v1."), open_token(b"k", sealed, pseudonym="p", wave="w")
    (True, 'abc')
    """
    nonce = os.urandom(_NONCE_BYTES)
    box = AESGCM(subkey(study_key, "token-seal/v1")).encrypt(
        nonce, token.encode("utf-8"), _associated(pseudonym, wave))
    return _VERSION + base64.urlsafe_b64encode(nonce + box).decode("ascii")


def open_token(study_key: bytes, sealed: str, *, pseudonym: str, wave: str) -> str:
    """The token inside ``sealed``.

    Raises
    ------
    SealError
        When it was sealed under another key or for another contact or wave, or is damaged.
    """
    if not isinstance(sealed, str) or not sealed.startswith(_VERSION):
        raise SealError("a sealed token must start with 'v1.'")
    try:
        raw = base64.urlsafe_b64decode(sealed[len(_VERSION):].encode("ascii"))
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise SealError("a sealed token must be URL-safe base64 after 'v1.'") from None
    nonce, box = raw[:_NONCE_BYTES], raw[_NONCE_BYTES:]
    try:
        plain = AESGCM(subkey(study_key, "token-seal/v1")).decrypt(nonce, box, _associated(pseudonym, wave))
    except (InvalidTag, ValueError):
        raise SealError("the sealed token does not open with this study key for this contact and wave "
                        "(was FOLGE_KEY or .folge/key changed?)") from None
    return plain.decode("utf-8")


def optout_id(study_key: bytes, pseudonym: str) -> str:
    """The opaque id in a contact's opt-out link (32 URL-safe characters).

    Examples
    --------
    >>> oid = optout_id(b"k", "p")
    >>> len(oid), oid == optout_id(b"k", "p"), oid != optout_id(b"k", "q")
    (32, True, True)
    """
    digest = hmac.new(subkey(study_key, "optout/v1"), pseudonym.encode("utf-8"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:24]).decode("ascii")


