"""Fixtures for the mail tests: a study with contacts' environment, and a live SMTP server."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # tests import _mailsupport (pytest runs with importlib)

from _mailsupport import BASE_URL, SENDER, SmtpServer, make_study  # noqa: E402


@pytest.fixture
def smtp():
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def study(tmp_path, monkeypatch, smtp) -> Path:
    """A fresh study whose mail goes to the test's SMTP server."""
    root = make_study(tmp_path / "study")
    monkeypatch.delenv("FOLGE_KEY", raising=False)
    monkeypatch.setenv("FOLGE_SMTP_URL", smtp.url)
    monkeypatch.setenv("FOLGE_MAIL_FROM", SENDER)
    monkeypatch.setenv("FOLGE_BASE_URL", BASE_URL)
    return root
