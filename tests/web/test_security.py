"""Security points against a real server: headers, CSRF, rate limits, timing, escaping, /admin."""

from __future__ import annotations

import re
import statistics
import time

import httpx
import pytest

from folge.web._security import CSP

from _websupport import ADMIN_PASSWORD, Server, invite


@pytest.fixture(scope="module")
def tokens(study):
    rows = invite(study, "--wave", "2015-1", "--region", "kongsberg", "--role", "business", "--count", "12")
    return [r["token"] for r in rows]


def _consent(client, token) -> None:
    page = client.get(f"/s/{token}")
    csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', page.text).group(1)
    response = client.post(f"/s/{token}/consent", data={"csrf": csrf, "consent": "yes", "lang": "nb"})
    assert response.status_code == 303, response.text


def test_strict_headers_on_every_kind_of_response(client, tokens):
    paths = ["/", f"/s/{tokens[0]}", "/s/" + "B" * 32, "/static/folge.css", "/admin", "/nowhere"]
    for path in paths:
        response = client.get(path)
        assert response.headers["content-security-policy"] == CSP, path
        assert "script-src" not in CSP and "'unsafe-inline'" not in CSP
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "no-referrer"  # tokens never leak in Referer
        assert response.headers["x-frame-options"] == "DENY"
    assert client.get(f"/s/{tokens[0]}").headers["cache-control"] == "no-store"
    api = client.put("/api/v1/responses/" + "C" * 32, json={"answers": {}})
    assert api.headers["content-security-policy"] == CSP and api.headers["cache-control"] == "no-store"
    assert "server" not in client.get("/").headers


def test_no_external_resources_in_pages(client, tokens):
    html = client.get(f"/s/{tokens[0]}").text
    assert not re.search(r'(src|href)="(https?:)?//', html)
    assert "<script" not in html


def test_forms_need_the_csrf_token_and_the_cookie(client, tokens):
    token = tokens[1]
    page = client.get(f"/s/{token}")
    assert "folge_csrf" in page.headers["set-cookie"] and "samesite=strict" in page.headers["set-cookie"].lower()
    assert "httponly" in page.headers["set-cookie"].lower()
    csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', page.text).group(1)
    # no token in the form
    assert client.post(f"/s/{token}/consent", data={"consent": "yes"}).status_code == 403
    # a forged token
    assert client.post(f"/s/{token}/consent", data={"csrf": "0" * 64, "consent": "yes"}).status_code == 403
    # the right token without the cookie (another browser, or a cross-site post)
    with httpx.Client(base_url=str(client.base_url)) as other:
        assert other.post(f"/s/{token}/consent", data={"csrf": csrf, "consent": "yes"}).status_code == 403
    # the right token and cookie, but the browser says the post came from another site
    assert client.post(f"/s/{token}/consent", data={"csrf": csrf, "consent": "yes"},
                       headers={"origin": "https://evil.example", "sec-fetch-site": "cross-site"}).status_code == 403
    # a form token for another invitation does not fit this one
    other_page = client.get(f"/s/{tokens[2]}")
    other_csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', other_page.text).group(1)
    assert client.post(f"/s/{token}/consent", data={"csrf": other_csrf, "consent": "yes"}).status_code == 403
    assert client.post(f"/s/{token}/consent", data={"csrf": csrf, "consent": "yes"}).status_code == 303


def test_free_text_is_escaped(client, tokens):
    token = tokens[3]
    evil = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    assert client.put(f"/api/v1/responses/{token}", json={"answers": {"comment": evil}}).status_code == 200
    _consent(client, token)
    survey_pages = client.get(f"/s/{token}/p/1").text
    last = int(re.search(r'<progress max="(\d+)"', survey_pages).group(1))
    html = client.get(f"/s/{token}/p/{last}").text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<script>" not in html and "<img" not in html


def test_rate_limit_per_token(server, tokens):
    token = tokens[4]
    with httpx.Client(base_url=server.url) as client:
        statuses = [client.put(f"/api/v1/responses/{token}", json={"answers": {}}).status_code for _ in range(70)]
        assert statuses[0] == 200 and 429 in statuses
        limited = client.put(f"/api/v1/responses/{token}", json={"answers": {}})
        assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1
        assert limited.json()["error"]["code"] == "rate-limited"
        # other respondents behind the same address are not affected
        assert client.put(f"/api/v1/responses/{tokens[5]}", json={"answers": {}}).status_code == 200


def test_unknown_and_used_tokens_take_the_same_time(client, tokens):
    used = tokens[6]
    assert client.post(f"/api/v1/responses/{used}/submit", json={"answers": {"lc1": 3}}).status_code == 200

    def timed(token: str) -> float:
        start = time.perf_counter()
        client.put(f"/api/v1/responses/{token}", json={"answers": {"lc1": 1}})
        return time.perf_counter() - start

    for _ in range(5):  # warm up
        timed(used), timed("D" * 32)
    unknown_times, used_times = [], []
    for i in range(40):
        unknown_times.append(timed(f"{i:02d}" + "E" * 30))
        used_times.append(timed(used))
    unknown, known = statistics.median(unknown_times), statistics.median(used_times)
    assert abs(unknown - known) < max(0.002, 0.25 * min(unknown, known)), (unknown, known)


def test_admin_shows_counts_only_behind_the_password(study, client, tokens):
    token = tokens[7]
    client.put(f"/api/v1/responses/{token}", json={"answers": {"comment": "svar som ikke skal vises 5531"}})
    assert client.get("/admin").status_code == 401
    assert client.get("/admin", auth=("admin", "wrong")).status_code == 401
    page = client.get("/admin", auth=("admin", ADMIN_PASSWORD))
    assert page.status_code == 200
    assert "Kongsbergregionen" in page.text and "5531" not in page.text
    assert "<th scope=\"col\"" in page.text


@pytest.fixture(scope="module")
def strict_server(study):
    """A second server: no admin password, and a low ceiling on failed token look-ups."""
    server = Server(study, {"FOLGE_ADMIN_PASSWORD": None, "FOLGE_WEB_RATE_FAILURES": "10"}).start()
    yield server
    server.stop()


def test_admin_is_disabled_without_a_password(strict_server):
    assert httpx.get(f"{strict_server.url}/admin", auth=("admin", "")).status_code == 404
    assert httpx.get(f"{strict_server.url}/admin").status_code == 404


def test_unknown_token_guessing_is_slowed_per_address(strict_server):
    with httpx.Client(base_url=strict_server.url) as client:
        statuses = [client.get(f"/s/{i:032d}").status_code for i in range(15)]
    assert statuses[:10] == [404] * 10 and statuses[-1] == 429


def test_wrong_method_gives_a_polite_page_not_a_server_error(client, tokens):
    for response in (client.post("/"), client.put(f"/s/{tokens[0]}/p/1")):
        assert response.status_code == 405, response.text
        assert "Forespørselen kunne ikke behandles" in response.text
        assert response.headers["content-security-policy"] == CSP
