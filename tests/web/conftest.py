"""Fixtures for the web questionnaire tests (helpers live in ``_websupport.py``)."""

from __future__ import annotations

import sys
from pathlib import Path

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).parent))  # tests import _websupport (pytest runs with importlib)
sys.path.insert(0, str(Path(__file__).parents[1]))  # and the shared tests/_axe.py

from _websupport import Server, make_study  # noqa: E402


@pytest.fixture(scope="session")
def study(tmp_path_factory) -> Path:
    return make_study(tmp_path_factory.mktemp("web-study"))


@pytest.fixture(scope="session")
def server(study):
    server = Server(study, {"FOLGE_WEB_RATE_FAILURES": "100000"}).start()
    yield server
    server.stop()


@pytest.fixture
def client(server):
    with httpx.Client(base_url=server.url, timeout=30, follow_redirects=False) as client:
        yield client
