"""Load and crash: 200 concurrent respondents through the JSON API, then SIGKILL mid-burst.

Every submission the server acknowledged with 2xx must be in the store after a restart,
and none twice; the submissions cut off by the kill can be sent again and land exactly once.
All on loopback, bounded in count (2 × 200 respondents) and time.
"""

from __future__ import annotations

import asyncio
import random
import time

import httpx
import pytest

from folge.definitions import load_study
from folge.store import Store
from folge.web import hash_token

from _websupport import Server, invite, make_study

RESPONDENTS = 200
WAVE = "2015-1"


@pytest.fixture(scope="module")
def load_study_dir(tmp_path_factory):
    folder = make_study(tmp_path_factory.mktemp("load-study"))
    tokens = []
    for region, role in (("kongsberg", "politician"), ("kongsberg", "business"), ("sogn", "politician"),
                         ("sogn", "business")):
        rows = invite(folder, "--wave", WAVE, "--region", region, "--role", role, "--count", str(RESPONDENTS // 2))
        tokens += [r["token"] for r in rows]
    random.Random(7).shuffle(tokens)
    return folder, tokens[:RESPONDENTS], tokens[RESPONDENTS:]


def _answers(study, seed: int) -> tuple[dict, dict]:
    rng = random.Random(seed)
    items = [i for i in study.instruments["participant-survey"].items if i.scale.is_numeric]
    chosen = {i.id: rng.choice(i.scale.values) for i in items}
    names = list(chosen)
    half = len(names) // 2
    return ({k: chosen[k] for k in names[:half]}, {k: chosen[k] for k in names[half:]})


async def _respond(client: httpx.AsyncClient, token: str, first: dict, second: dict) -> tuple[str, object]:
    """PUT half the answers, then submit with the rest; the submit's status, else what went wrong."""
    try:
        saved = await client.put(f"/api/v1/responses/{token}", json={"answers": first})
        if saved.status_code != 200:
            return token, f"PUT {saved.status_code} {saved.text[:200]}"
        submitted = await client.post(f"/api/v1/responses/{token}/submit", json={"answers": second})
        return token, submitted.status_code if submitted.status_code < 300 else (
            f"POST {submitted.status_code} {submitted.text[:200]}")
    except httpx.TransportError as exc:
        return token, f"{type(exc).__name__} {exc!r}"


async def _burst(url: str, tokens: list[str], study, kill_after: int | None = None, server=None,
                 spread: float = 0.0):
    """All respondents at once (``spread`` 0), or arriving at random over ``spread`` seconds."""
    # a fresh connection per request: a pooled one the server is just closing as idle would
    # fail the test for a reason that has nothing to do with what it checks
    limits = httpx.Limits(max_connections=RESPONDENTS, max_keepalive_connections=0)
    acked = 0
    killed = asyncio.Event()

    async def one(i, token):
        nonlocal acked
        if spread:
            await asyncio.sleep(random.Random(i).uniform(0, spread))
        first, second = _answers(study, i)
        token, status = await _respond(client, token, first, second)
        if status == 200:
            acked += 1
            if kill_after is not None and acked >= kill_after and not killed.is_set():
                killed.set()
                server.kill()  # SIGKILL while the other submissions are in flight
        return token, status

    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=60) as client:
        results = await asyncio.gather(*(one(i, t) for i, t in enumerate(tokens)))
    return dict(results)


def _stored(folder, tokens):
    with Store.open(folder) as store:
        connection = store.connection
        pseudonyms = dict(connection.execute("SELECT token_hash, respondent FROM invitations"))
        submitted = {row[0] for row in connection.execute(
            "SELECT token_hash FROM invitations WHERE submitted_at IS NOT NULL")}
        rows = store.responses("participant-survey", waves=[WAVE])
        imports = store.imports()
        web_rows = int(imports.loc[imports["source_kind"] == "web", "stored"].sum())
    counts = rows["respondent"].value_counts().to_dict()
    return pseudonyms, submitted, counts, web_rows


def test_acknowledged_submissions_survive_sigkill_exactly_once(load_study_dir):
    folder, first_tokens, second_tokens = load_study_dir
    study = load_study(folder)
    started = time.monotonic()
    server = Server(folder).start()
    try:
        # burst 1: 200 respondents at once, from one address
        first = asyncio.run(_burst(server.url, first_tokens, study))
        problems = [s for s in first.values() if s != 200]
        assert not problems, problems[:5]
        # burst 2: arriving over 3 seconds, killed with SIGKILL once a quarter has been acknowledged
        second = asyncio.run(_burst(server.url, second_tokens, study, kill_after=RESPONDENTS // 4, server=server,
                                    spread=3.0))
    finally:
        server.kill()
    acked = [t for t, s in {**first, **second}.items() if s == 200]
    cut_off = [t for t, s in second.items() if s != 200]
    assert len(acked) >= RESPONDENTS + RESPONDENTS // 4
    assert cut_off, "the kill came too late to cut anything off"

    # after the crash: every acknowledged submission is stored, once, with its invitation marked
    pseudonyms, submitted, counts, _ = _stored(folder, acked)
    for token in acked:
        h = hash_token(token)
        assert h in submitted
        assert counts.get(pseudonyms[h]) == 1
    assert all(n == 1 for n in counts.values())
    # atomic: stored answers and submitted flags agree, nothing half-written
    assert {pseudonyms[h] for h in submitted} == set(counts)

    # restart; the cut-off respondents send again and land exactly once (409 where it had landed)
    server = Server(folder).start()
    try:
        async def retry():
            async with httpx.AsyncClient(base_url=server.url, timeout=60) as client:
                return await asyncio.gather(*(
                    client.post(f"/api/v1/responses/{t}/submit", json={"answers": _answers(study, i)[1]})
                    for i, t in enumerate(cut_off)))

        statuses = [r.status_code for r in asyncio.run(retry())]
        assert set(statuses) <= {200, 409}, statuses
        again = [r for r in asyncio.run(retry())]
        assert {r.status_code for r in again} == {409}
        assert {r.json()["error"]["code"] for r in again} == {"already-submitted"}
    finally:
        server.stop()
    pseudonyms, submitted, counts, web_rows = _stored(folder, acked)
    assert len(submitted) == 2 * RESPONDENTS
    assert len(counts) == 2 * RESPONDENTS and set(counts.values()) == {1}
    assert web_rows == 2 * RESPONDENTS
    assert time.monotonic() - started < 90
