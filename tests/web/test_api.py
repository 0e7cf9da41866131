"""The JSON API against a real server on loopback: save, submit, and every refusal as 4xx JSON."""

from __future__ import annotations

import pytest

from folge.store import Store
from folge.web import hash_token

from _websupport import invite


def _token(study, **kw) -> str:
    args = {"wave": "2015-1", "region": "kongsberg", "role": "politician", **kw}
    extra = ["--coordinator"] if args.pop("coordinator", False) else []
    return invite(study, "--wave", args["wave"], "--region", args["region"], "--role", args["role"],
                  "--count", "1", *extra)[0]["token"]


def _error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert body["error"]["code"] == code and body["error"]["message"]
    return body["error"]


def test_save_then_submit_stores_one_response_marked_as_web(study, client):
    token = _token(study, region="sogn", role="business")
    response = client.put(f"/api/v1/responses/{token}", json={"answers": {"lc1": 5, "lc2": "4", "lc3": 9}})
    assert response.status_code == 200, response.text
    assert response.json()["answered"] == 3
    assert client.put(f"/api/v1/responses/{token}", json={"answers": {"lc3": None, "vi1": 2}}).json()["answered"] == 3
    response = client.post(f"/api/v1/responses/{token}/submit", json={"answers": {"lc4": 1}})
    assert response.status_code == 200 and response.json()["status"] == "submitted"
    with Store.open(study) as store:
        (pseudonym,) = store.connection.execute(
            "SELECT respondent FROM invitations WHERE token_hash = ?", (hash_token(token),)).fetchone()
        rows = store.responses("participant-survey")
        mine = rows[rows["respondent"] == pseudonym]
        assert len(mine) == 1
        row = mine.iloc[0]
        assert (row["region"], row["wave"], row["role"]) == ("sogn", "2015-1", "business")
        assert (row["lc1"], row["lc2"], row["lc4"], row["vi1"]) == (5, 4, 1, 2)
        assert row.isna()["lc3"]  # cleared before submitting
        imports = store.imports()
        assert (imports["source_kind"] == "web").any()
        assert store.connection.execute("SELECT COUNT(*) FROM drafts WHERE token_hash = ?",
                                        (hash_token(token),)).fetchone()[0] == 0


def test_a_used_token_accepts_nothing_more(study, client):
    token = _token(study)
    assert client.post(f"/api/v1/responses/{token}/submit", json={"answers": {"lc1": 2}}).status_code == 200
    _error(client.post(f"/api/v1/responses/{token}/submit"), 409, "already-submitted")
    _error(client.put(f"/api/v1/responses/{token}", json={"answers": {"lc1": 3}}), 409, "already-submitted")


def test_unknown_tokens_get_404(client):
    for token in ("A" * 32, "short", "x" * 200):
        _error(client.put(f"/api/v1/responses/{token}", json={"answers": {"lc1": 1}}), 404, "unknown-token")
        _error(client.post(f"/api/v1/responses/{token}/submit"), 404, "unknown-token")


def test_invalid_values_are_refused_and_nothing_is_saved(study, client):
    token = _token(study)
    error = _error(client.put(f"/api/v1/responses/{token}",
                              json={"answers": {"lc1": 7, "lc2": "fire", "rs_own_budget": 1, "lc3": 2}}),
                   422, "invalid-values")
    assert {(p["item"], p["code"]) for p in error["problems"]} == {
        ("lc1", "out-of-range"), ("lc2", "not-a-number"), ("rs_own_budget", "unknown-item")}
    assert client.put(f"/api/v1/responses/{token}", json={"answers": {}}).json()["answered"] == 0
    _error(client.post(f"/api/v1/responses/{token}/submit", json={"answers": {"lc1": 0}}), 422, "invalid-values")


@pytest.mark.parametrize("body, headers, status, code", [
    (b"{not json", {"content-type": "application/json"}, 400, "bad-json"),
    (b'{"answers": {"lc1": 1}}', {"content-type": "text/plain"}, 415, "unsupported-media-type"),
    (b"lc1=1", {"content-type": "application/x-www-form-urlencoded"}, 415, "unsupported-media-type"),
    (b'["lc1"]', {"content-type": "application/json"}, 422, "invalid-body"),
    (b'{"answers": {"lc1": 1}, "respondent": "x"}', {"content-type": "application/json"}, 422, "invalid-body"),
    (b'{"answers": ["lc1"]}', {"content-type": "application/json"}, 422, "invalid-values"),
])
def test_malformed_bodies_get_clear_errors(study, client, body, headers, status, code):
    token = _token(study)
    _error(client.put(f"/api/v1/responses/{token}", content=body, headers=headers), status, code)


def test_oversize_bodies_get_413(study, client):
    token = _token(study)
    huge = {"answers": {"comment": "x" * 400_000}}
    _error(client.put(f"/api/v1/responses/{token}", json=huge), 413, "body-too-large")

    def chunks():  # no Content-Length: the limit holds for a streamed body too
        for _ in range(40):
            yield b"x" * 10_000

    _error(client.put(f"/api/v1/responses/{token}", content=chunks(),
                      headers={"content-type": "application/json"}), 413, "body-too-large")


def test_closed_waves_accept_nothing(study, client):
    from folge.store import Store as _Store

    token = _token(study)
    with _Store.open(study) as store:  # an invitation made before the wave was closed
        store.connection.execute("UPDATE invitations SET wave = '2014-2' WHERE token_hash = ?", (hash_token(token),))
    _error(client.put(f"/api/v1/responses/{token}", json={"answers": {"lc1": 1}}), 403, "wave-closed")
    _error(client.post(f"/api/v1/responses/{token}/submit"), 403, "wave-closed")
    page = client.get(f"/s/{token}")
    assert page.status_code == 403 and "stengt" in page.text


def test_no_answer_can_be_read_back(study, client):
    token = _token(study)
    client.put(f"/api/v1/responses/{token}", json={"answers": {"comment": "hemmelig svar 8472"}})
    for method, path in [("GET", f"/api/v1/responses/{token}"), ("GET", f"/api/v1/responses/{token}/submit"),
                         ("DELETE", f"/api/v1/responses/{token}"), ("GET", "/api/v1/responses")]:
        response = client.request(method, path)
        assert 400 <= response.status_code < 500
        assert "8472" not in response.text
    client.post(f"/api/v1/responses/{token}/submit")
    for path in (f"/s/{token}", f"/s/{token}/p/1", f"/s/{token}/submit"):
        assert "8472" not in client.get(path, follow_redirects=True).text


def test_region_status_through_a_coordinator_token(study, client):
    token = _token(study, region="sogn", role="coordinator", coordinator=True)
    answers = {"rs_project_leader": 1, "rs_process_plan": 0, "rs_own_budget": 1}
    _error(client.put(f"/api/v1/responses/{token}", json={"answers": {"lc1": 3}}), 422, "invalid-values")
    _error(client.put(f"/api/v1/responses/{token}", json={"answers": {"rs_project_leader": 9}}),
           422, "invalid-values")  # yesno_plain has no don't-know code
    assert client.post(f"/api/v1/responses/{token}/submit", json={"answers": answers}).status_code == 200
    with Store.open(study) as store:
        rows = store.responses("region-status")
    mine = rows[(rows["region"] == "sogn") & (rows["wave"] == "2015-1")]
    assert len(mine) == 1 and mine.iloc[0]["rs_project_leader"] == 1
    # a second coordinator's different report for the same region and wave is refused, not stored
    second = _token(study, region="sogn", role="coordinator", coordinator=True)
    response = client.post(f"/api/v1/responses/{second}/submit", json={"answers": {"rs_project_leader": 0}})
    assert response.status_code == 409
    assert client.put(f"/api/v1/responses/{second}", json={"answers": {"rs_project_leader": 0}}).status_code == 200
