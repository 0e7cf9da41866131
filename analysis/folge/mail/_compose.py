"""One e-mail message: headers, and the plain-text and HTML parts of the same words.

Each message has one recipient (``To`` only, never Cc or Bcc), ``From``, ``Subject``,
``Date``, ``Message-ID``, ``Content-Language``, and the one-click opt-out headers of
RFC 8058 (``List-Unsubscribe`` with the HTTPS opt-out link and ``List-Unsubscribe-Post:
List-Unsubscribe=One-Click``), so mail programs can offer "unsubscribe" themselves.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr

from .._errors import FolgeError
from ._templates import MailText

__all__ = ["MAIL_FROM_ENV", "BASE_URL_ENV", "MailSettings", "compose", "personal_link", "optout_link"]

MAIL_FROM_ENV = "FOLGE_MAIL_FROM"
BASE_URL_ENV = "FOLGE_BASE_URL"


@dataclass(frozen=True)
class MailSettings:
    """Who the mail is from and where its links point (``FOLGE_MAIL_FROM``, ``FOLGE_BASE_URL``)."""

    sender: str
    base_url: str

    @property
    def sender_address(self) -> str:
        return parseaddr(self.sender)[1]

    @property
    def domain(self) -> str:
        return self.sender_address.rpartition("@")[2] or "localhost"

    @classmethod
    def from_env(cls, environ=None) -> MailSettings:
        """Read and check both variables.

        Raises
        ------
        FolgeError
            When one is unset, the sender is not an address, or the base URL is not http(s).
        """
        environ = os.environ if environ is None else environ
        sender = (environ.get(MAIL_FROM_ENV) or "").strip()
        base = (environ.get(BASE_URL_ENV) or "").strip().rstrip("/")
        if "@" not in parseaddr(sender)[1]:
            raise FolgeError(f"set {MAIL_FROM_ENV} to the sender, e.g. 'Følgeforskning <survey@example.no>' "
                             f"(got {sender!r})")
        if not base.startswith(("https://", "http://")):
            raise FolgeError(f"set {BASE_URL_ENV} to the public address of 'folge serve', e.g. "
                             f"https://survey.example.no (got {base!r})")
        return cls(sender, base)


def personal_link(base_url: str, token: str) -> str:
    """``BASE/s/TOKEN``, the one link that opens a person's questionnaire."""
    return f"{base_url.rstrip('/')}/s/{token}"


def optout_link(base_url: str, opaque: str) -> str:
    """``BASE/optout/ID``: a confirmation page (GET) and the one-click opt-out (POST)."""
    return f"{base_url.rstrip('/')}/optout/{opaque}"


def compose(words: MailText, *, settings: MailSettings, recipient: str, name: str = "",
            unsubscribe_url: str, now: dt.datetime | None = None) -> EmailMessage:
    """The message for one recipient, multipart/alternative (plain text first, then HTML)."""
    message = EmailMessage()
    message["From"] = settings.sender
    local, _, domain = recipient.partition("@")
    try:
        message["To"] = Address(display_name=name or "", username=local, domain=domain)
    except (ValueError, IndexError) as exc:
        raise FolgeError(f"cannot address a message to {recipient!r}: {exc}") from None
    message["Subject"] = words.subject
    message["Date"] = format_datetime((now or dt.datetime.now(dt.timezone.utc)).astimezone(dt.timezone.utc))
    message["Message-ID"] = make_msgid(domain=settings.domain)
    message["List-Unsubscribe"] = f"<{unsubscribe_url}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(words.text, subtype="plain", charset="utf-8")
    message.add_alternative(words.html, subtype="html", charset="utf-8")
    message["Content-Language"] = words.lang  # after the parts: setting content clears Content-* headers
    return message
