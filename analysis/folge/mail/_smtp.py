"""The mail server: ``FOLGE_SMTP_URL`` parsed, a connection opened, one message sent at a time.

``smtp://host:port`` (plain, default port 25), ``smtp+starttls://user:pass@host:587``
(STARTTLS before login, default 587) and ``smtps://user:pass@host:465`` (TLS from the first
byte, default 465). User name and password are percent-decoded; TLS checks the server's
certificate against the system's trust store.

Two kinds of trouble, kept apart because the caller treats them differently:
:class:`MailServerError` (the server cannot be reached, refuses the login or drops the
connection: stop the run) and :class:`MessageRefused` (the server answered one message
with a 4xx or 5xx: that message failed, the next may go).
"""

from __future__ import annotations

import smtplib
import socket
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

from .._errors import FolgeError

__all__ = ["SMTP_URL_ENV", "SmtpSettings", "SmtpTransport", "MailServerError", "MessageRefused"]

SMTP_URL_ENV = "FOLGE_SMTP_URL"
_DEFAULT_PORTS = {"smtp": 25, "smtp+starttls": 587, "smtps": 465}


class MailServerError(FolgeError):
    """The mail server cannot be used: unreachable, login refused, or the connection lost."""


class MessageRefused(Exception):
    """The server refused one message (``code`` 4xx: try later; 5xx: permanent)."""

    def __init__(self, code: int, text: str):
        super().__init__(f"{code} {text}".strip())
        self.code = code
        self.text = text


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to reach the mail server."""

    scheme: str
    host: str
    port: int
    username: str | None = None
    password: str | None = field(default=None, repr=False)

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port}"

    @classmethod
    def from_url(cls, url: str) -> SmtpSettings:
        """Parse ``FOLGE_SMTP_URL``.

        Examples
        --------
        >>> SmtpSettings.from_url("smtp+starttls://kari%40x.no:p%3Aw@mail.x.no").where
        'mail.x.no:587'
        >>> SmtpSettings.from_url("smtp+starttls://kari%40x.no:p%3Aw@mail.x.no").password
        'p:w'

        Raises
        ------
        FolgeError
            For an unknown scheme, no host, or a port that is not a number.
        """
        parts = urlsplit((url or "").strip())
        scheme = parts.scheme.lower()
        if scheme not in _DEFAULT_PORTS:
            raise FolgeError(f"{SMTP_URL_ENV} must start with smtp://, smtp+starttls:// or smtps:// "
                             f"(got {parts.scheme + '://' if parts.scheme else repr(url)})")
        try:
            port = parts.port or _DEFAULT_PORTS[scheme]
        except ValueError:
            raise FolgeError(f"{SMTP_URL_ENV} has a port that is not a number 1-65535") from None
        if not parts.hostname:
            raise FolgeError(f"{SMTP_URL_ENV} names no host (write {scheme}://host:port)")
        user = unquote(parts.username) if parts.username else None
        password = unquote(parts.password) if parts.password else None
        return cls(scheme, parts.hostname, port, user, password)


class SmtpTransport:
    """An open SMTP session; a context manager (``with SmtpTransport(settings) as smtp:``)."""

    def __init__(self, settings: SmtpSettings, timeout: float = 30.0, local_hostname: str | None = None):
        self.settings = settings
        self.timeout = timeout
        self.local_hostname = local_hostname or "localhost"
        self._smtp: smtplib.SMTP | None = None

    def _fail(self, doing: str, exc: BaseException) -> MailServerError:
        reason = _reason(exc)
        return MailServerError(f"mail server {self.settings.where}: {doing}: {reason}")

    def __enter__(self) -> SmtpTransport:
        s = self.settings
        try:
            if s.scheme == "smtps":
                self._smtp = smtplib.SMTP_SSL(s.host, s.port, timeout=self.timeout,
                                              local_hostname=self.local_hostname,
                                              context=ssl.create_default_context())
            else:
                self._smtp = smtplib.SMTP(s.host, s.port, timeout=self.timeout, local_hostname=self.local_hostname)
            if s.scheme == "smtp+starttls":
                self._smtp.starttls(context=ssl.create_default_context())
                self._smtp.ehlo()
            if s.username:
                self._smtp.login(s.username, s.password or "")
        except (OSError, smtplib.SMTPException) as exc:
            self.close()
            raise self._fail("cannot connect", exc) from None
        return self

    def send(self, message: EmailMessage, sender: str, recipient: str) -> None:
        """Send ``message`` to exactly ``recipient``; returns only when the server accepted it.

        Raises
        ------
        MessageRefused
            The server answered this message with 4xx/5xx (sender, recipient or data refused).
        MailServerError
            The connection is gone (the server stopped, a time-out).
        """
        if self._smtp is None:
            raise MailServerError(f"mail server {self.settings.where}: not connected")
        try:
            refused = self._smtp.send_message(message, from_addr=sender, to_addrs=[recipient])
        except smtplib.SMTPRecipientsRefused as exc:
            code, text = next(iter(exc.recipients.values()), (0, b""))
            raise MessageRefused(code, _text(text)) from None
        except smtplib.SMTPServerDisconnected as exc:
            self._smtp = None
            raise self._fail("connection lost", exc) from None
        except smtplib.SMTPResponseException as exc:  # sender or data refused (SMTPException is an OSError)
            if exc.smtp_code == 421:  # the server is closing the channel
                self._smtp = None
                raise self._fail("the server closed the connection", exc) from None
            raise MessageRefused(exc.smtp_code, _text(exc.smtp_error)) from None
        except smtplib.SMTPNotSupportedError as exc:
            raise MessageRefused(0, str(exc)) from None
        except OSError as exc:
            self._smtp = None
            raise self._fail("connection lost", exc) from None
        if refused:  # pragma: no cover - one recipient: refusing it raises above
            code, text = next(iter(refused.values()))
            raise MessageRefused(code, _text(text))

    def close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (OSError, smtplib.SMTPException):
                try:
                    self._smtp.close()
                except OSError:
                    pass
            self._smtp = None

    def __exit__(self, *exc_info) -> None:
        self.close()


def _text(value) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"{exc.smtp_code} {_text(exc.smtp_error)}"
    if isinstance(exc, socket.gaierror):
        return f"unknown host ({exc.strerror or exc})"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused (is the server running, and is the port right?)"
    if isinstance(exc, (TimeoutError, socket.timeout)):
        return "timed out"
    if isinstance(exc, ssl.SSLError):
        return f"TLS failed ({exc.reason or exc})"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__
