"""The limits of the web app and the name of the admin password variable."""

from __future__ import annotations

import os
from dataclasses import dataclass

__all__ = ["ADMIN_PASSWORD_ENV", "WebSettings"]

#: Environment variable holding the ``/admin`` password (``/admin`` is off when it is unset).
ADMIN_PASSWORD_ENV = "FOLGE_ADMIN_PASSWORD"


@dataclass(frozen=True)
class WebSettings:
    """Limits of the web app; each can be set by an environment variable of the same name.

    ``FOLGE_WEB_MAX_BODY`` (bytes), ``FOLGE_WEB_RATE_TOKEN``, ``FOLGE_WEB_RATE_ADDRESS`` and
    ``FOLGE_WEB_RATE_FAILURES`` (requests per minute).
    """

    max_body: int = 256 * 1024
    rate_token: float = 60
    rate_address: float = 6000
    rate_failures: float = 120

    @classmethod
    def from_env(cls) -> "WebSettings":
        """The settings from the environment, each falling back to its default when unset."""

        def number(name, default, kind):
            value = os.environ.get(name)
            return kind(value) if value else default

        return cls(number("FOLGE_WEB_MAX_BODY", cls.max_body, int),
                   number("FOLGE_WEB_RATE_TOKEN", cls.rate_token, float),
                   number("FOLGE_WEB_RATE_ADDRESS", cls.rate_address, float),
                   number("FOLGE_WEB_RATE_FAILURES", cls.rate_failures, float))
