"""Protection around the questionnaire: headers, body limits, rate limits and CSRF.

- :class:`SecurityHeaders`: a strict content-security policy (no scripts at all, styles and
  images from this server only, forms post only here, no framing) and the usual companions;
  ``Referrer-Policy: no-referrer`` keeps tokens in URLs from leaking to other sites, and
  ``Cache-Control: no-store`` keeps questionnaire pages out of shared caches.
- :class:`BodyLimit`: refuses a body above the limit with 413 before reading it all, whether
  announced by Content-Length or streamed.
- :class:`RateLimits`: token buckets per invitation token and per client address. The
  address ceiling is high (a whole municipality or a gathering may share one address);
  the token limit is what stops one link being hammered. A third bucket per address
  counts failed token look-ups only, so guessing is slowed without hurting real users.
- :class:`Csrf`: a double-submit check bound to the invitation. The browser holds a random
  cookie (HttpOnly, SameSite=Strict); each form carries HMAC(secret, cookie | token hash);
  a form post must bring both, and a cross-site post (``Sec-Fetch-Site``/``Origin``) is refused.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import secrets
import threading
import time
from dataclasses import dataclass

__all__ = [
    "CSP",
    "SecurityHeaders",
    "BodyLimit",
    "RateLimits",
    "RateLimit",
    "TokenBucket",
    "Csrf",
    "CSRF_COOKIE",
    "constant_time_equal",
    "token_in_path",
]

CSP = ("default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
       "frame-ancestors 'none'; base-uri 'none'")

_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=(), usb=()"),
]
_NO_STORE = (b"cache-control", b"no-store")

CSRF_COOKIE = "folge_csrf"


def constant_time_equal(a: str, b: str) -> bool:
    """Compare two secrets without leaking where they differ."""
    return hmac.compare_digest(a.encode("utf-8", "replace"), b.encode("utf-8", "replace"))


def token_in_path(path: str) -> str | None:
    """The invitation token a request path names (``/s/T…``, ``/api/v1/responses/T…``), if any."""
    for prefix in ("/s/", "/api/v1/responses/"):
        if path.startswith(prefix):
            rest = path[len(prefix):]
            return rest.split("/", 1)[0] or None
    return None


async def _send_json(send, status: int, payload: dict, headers: list | None = None) -> None:
    body = json.dumps(payload).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode()),
                            *_HEADERS, _NO_STORE, *(headers or [])]})
    await send({"type": "http.response.body", "body": body})


def error_payload(code: str, message: str, **extra) -> dict:
    """The JSON body of every error: ``{"error": {"code", "message", …}}``."""
    return {"error": {"code": code, "message": message, **extra}}


class SecurityHeaders:
    """ASGI middleware adding the security headers to every HTTP response."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        static = scope["path"].startswith("/static/")

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                names = {name.lower() for name, _ in message.get("headers", [])}
                extra = [h for h in _HEADERS if h[0] not in names]
                if not static and b"cache-control" not in names:
                    extra.append(_NO_STORE)
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodyLimit:
    """ASGI middleware answering 413 to request bodies above ``max_bytes``."""

    def __init__(self, app, max_bytes: int):
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    length = int(value)
                except ValueError:
                    return await _send_json(send, 400, error_payload("bad-request", "invalid Content-Length"))
                if length > self.max_bytes:
                    return await self._refuse(send)
        received = 0
        started = False

        async def counting_receive():
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise _TooLarge
            return message

        async def tracking_send(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except _TooLarge:
            if not started:
                await self._refuse(send)

    async def _refuse(self, send):
        await _send_json(send, 413, error_payload(
            "body-too-large", f"the request body is larger than {self.max_bytes} bytes"),
            headers=[(b"connection", b"close")])


class _TooLarge(Exception):
    pass


@dataclass
class TokenBucket:
    """A bucket of ``capacity`` requests refilled at ``per_minute``; thread-safe enough for asyncio."""

    capacity: float
    per_minute: float

    def __post_init__(self):
        self._state: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, key: str, now: float | None = None) -> float:
        """Take one request for ``key``: 0 when allowed, else the seconds to wait."""
        now = time.monotonic() if now is None else now
        rate = self.per_minute / 60.0
        with self._lock:
            tokens, last = self._state.get(key, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - last) * rate)
            if tokens >= 1:
                self._state[key] = (tokens - 1, now)
                if len(self._state) > 100_000:
                    self._prune(now, rate)
                return 0.0
            self._state[key] = (tokens, now)
            return (1 - tokens) / rate if rate > 0 else 60.0

    def _prune(self, now: float, rate: float) -> None:
        full = [k for k, (tokens, last) in self._state.items()
                if tokens + (now - last) * rate >= self.capacity]
        for key in full:
            del self._state[key]


class RateLimits:
    """Per-token, per-address and failed-look-up buckets (applied by :class:`RateLimit`).

    Parameters
    ----------
    per_token, per_address, failures_per_address
        Requests per minute each bucket refills; each bucket holds as many as it refills
        in a minute (the burst).
    """

    def __init__(self, per_token: float = 60, per_address: float = 6000, failures_per_address: float = 120):
        self.token = TokenBucket(per_token, per_token)
        self.address = TokenBucket(per_address, per_address)
        self.failures = TokenBucket(failures_per_address, failures_per_address)

    def failed_lookup(self, address: str) -> float:
        """Record a look-up of an unknown token from ``address``; seconds to wait when over the limit."""
        return self.failures.take(address)


class RateLimit:
    """ASGI middleware applying :class:`RateLimits`: 429 with Retry-After when a bucket is empty."""

    def __init__(self, app, limits: RateLimits):
        self.app = app
        self.limits = limits

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        address = (scope.get("client") or ("?", 0))[0]
        wait = self.limits.address.take(address)
        token = token_in_path(scope["path"])
        if not wait and token:
            wait = self.limits.token.take(hashlib.sha256(token.encode("utf-8", "replace")).hexdigest())
        if wait:
            seconds = str(math.ceil(wait))
            return await _send_json(send, 429, error_payload(
                "rate-limited", "too many requests; try again later", retry_after=math.ceil(wait)),
                headers=[(b"retry-after", seconds.encode())])
        return await self.app(scope, receive, send)


class Csrf:
    """Double-submit CSRF tokens bound to one invitation (by its token hash)."""

    def __init__(self, secret: bytes):
        self._secret = hashlib.sha256(b"folge-web-csrf\x00" + secret).digest()

    @staticmethod
    def new_cookie() -> str:
        return secrets.token_urlsafe(24)

    def form_token(self, cookie: str, token_hash: str) -> str:
        return hmac.new(self._secret, f"{cookie}|{token_hash}".encode(), hashlib.sha256).hexdigest()

    def verify(self, cookie: str | None, token_hash: str, submitted: str | None) -> bool:
        if not cookie or not submitted:
            return False
        return constant_time_equal(self.form_token(cookie, token_hash), submitted)

    @staticmethod
    def cross_site(headers, host: str | None) -> bool:
        """True when the browser says the request came from another site.

        ``Sec-Fetch-Site`` decides where a browser sends it; else a real ``Origin`` must be
        this host. ``Origin: null`` decides nothing: browsers send it for same-origin posts
        under ``Referrer-Policy: no-referrer``, and the cookie check still applies.
        """
        fetch_site = headers.get("sec-fetch-site")
        if fetch_site:
            return fetch_site not in ("same-origin", "none")
        origin = headers.get("origin")
        if origin and origin != "null" and host:
            return origin.split("://", 1)[-1] != host
        return False
