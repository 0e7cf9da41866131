"""Tokens, invitations, panels and reminders (``folge invite`` / ``folge remind``), no server."""

from __future__ import annotations

import csv
import io
import math
import sqlite3

import pytest

from folge.definitions import load_study
from folge.pseudonym import load_key, pseudonymise
from folge.store import Store
from folge.web import hash_token, new_token
from folge.web._forms import TEXT_LIMIT, clean_answers, clean_value, items_for, pages_for
from folge.web._i18n import TEXTS, UI_LANGUAGES
from folge.web._security import Csrf, RateLimits, TokenBucket, token_in_path

from _websupport import invite, make_study, run_folge


@pytest.fixture
def fresh_study(tmp_path):
    return make_study(tmp_path / "study")


def test_tokens_are_long_random_and_stored_only_as_hashes(fresh_study):
    rows = invite(fresh_study, "--wave", "2015-1", "--region", "kongsberg", "--role", "politician",
                  "--count", "5")
    assert [list(r)[:5] for r in rows][0] == ["token", "url", "region", "wave", "role"]
    tokens = [r["token"] for r in rows]
    assert len(set(tokens)) == 5
    assert all(len(t) == 32 for t in tokens)  # 24 bytes = 192 bits of secrets.token_urlsafe
    assert all(r["url"].endswith("/s/" + r["token"]) for r in rows)
    database = (fresh_study / "data" / "folge.sqlite").read_bytes()
    wal = fresh_study / "data" / "folge.sqlite-wal"
    database += wal.read_bytes() if wal.exists() else b""
    for token in tokens:
        assert token.encode() not in database
    with Store.open(fresh_study) as store:
        hashes = {r[0] for r in store.connection.execute("SELECT token_hash FROM invitations")}
    assert hashes == {hash_token(t) for t in tokens}


def test_token_entropy_is_at_least_128_bits():
    alphabet = 64
    assert len(new_token()) * math.log2(alphabet) >= 128


def test_panel_invitations_reuse_the_pseudonym_and_never_store_the_key(fresh_study, tmp_path):
    panel = tmp_path / "panel.csv"
    panel.write_text("respondent;email\nperson-0042;a@example.org\nperson-0043;b@example.org\n",
                     encoding="utf-8-sig")
    rows = invite(fresh_study, "--wave", "2015-1", "--region", "sogn", "--role", "business",
                  "--panel", str(panel))
    assert [r["email"] for r in rows] == ["a@example.org", "b@example.org"]
    key = load_key(fresh_study)
    with Store.open(fresh_study) as store:
        stored = dict(store.connection.execute("SELECT token_hash, respondent FROM invitations"))
    assert stored[hash_token(rows[0]["token"])] == pseudonymise(key, "person-0042")
    assert stored[hash_token(rows[1]["token"])] == pseudonymise(key, "person-0043")
    raw = (fresh_study / "data" / "folge.sqlite").read_bytes()
    wal = fresh_study / "data" / "folge.sqlite-wal"
    raw += wal.read_bytes() if wal.exists() else b""
    assert b"person-0042" not in raw and b"a@example.org" not in raw
    # the same panel member cannot be invited twice to one wave
    code, _, err = run_folge("invite", "--study", str(fresh_study), "--wave", "2015-1", "--region", "sogn",
                             "--role", "business", "--panel", str(panel))
    assert code == 1 and "already invited" in err


def test_panel_file_problems_are_named(fresh_study, tmp_path):
    panel = tmp_path / "panel.csv"
    panel.write_text("respondent,email\np1,a\n,b\np1,c\n", encoding="utf-8")
    code, _, err = run_folge("invite", "--study", str(fresh_study), "--wave", "2015-1", "--region", "sogn",
                             "--role", "business", "--panel", str(panel))
    assert code == 1 and "blank 'respondent' in row(s) 3" in err


def test_invite_refuses_closed_waves_unknown_ids_and_count_with_panel(fresh_study):
    base = ("invite", "--study", str(fresh_study), "--region", "kongsberg", "--role", "politician")
    code, _, err = run_folge(*base, "--wave", "2014-2", "--count", "1")
    assert code == 1 and "closed" in err
    code, _, err = run_folge("invite", "--study", str(fresh_study), "--wave", "2015-1", "--region", "kongsbrg",
                             "--role", "politician", "--count", "1")
    assert code == 1 and "did you mean 'kongsberg'" in err
    code, _, err = run_folge(*base, "--wave", "2015-1")
    assert code == 1 and "--count" in err


def test_coordinator_invitation_answers_the_region_level_instrument(fresh_study):
    rows = invite(fresh_study, "--wave", "2015-1", "--region", "kongsberg", "--role", "coordinator",
                  "--coordinator", "--count", "1")
    with Store.open(fresh_study) as store:
        (instruments,) = store.connection.execute(
            "SELECT instruments FROM invitations WHERE token_hash = ?", (hash_token(rows[0]["token"]),)).fetchone()
    assert instruments == "region-status"


def test_remind_lists_unsubmitted_invitations_and_filters_the_invitation_file(fresh_study, tmp_path):
    out = tmp_path / "invites.csv"
    code, _, err = run_folge("invite", "--study", str(fresh_study), "--wave", "2015-1", "--region", "kongsberg",
                             "--role", "politician", "--count", "3", "-o", str(out))
    assert code == 0, err
    assert (out.stat().st_mode & 0o077) == 0  # the links open questionnaires: owner only
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    with Store.open(fresh_study) as store:
        store.connection.execute("UPDATE invitations SET submitted_at = '2015-03-02' WHERE token_hash = ?",
                                 (hash_token(rows[0]["token"]),))
    code, listing, _ = run_folge("remind", "--study", str(fresh_study), "--wave", "2015-1")
    assert code == 0
    listed = list(csv.DictReader(io.StringIO(listing)))
    assert {r["invitation"] for r in listed} == {rows[1]["invitation"], rows[2]["invitation"]}
    assert "token" not in listed[0]
    reminders = tmp_path / "reminders.csv"
    code, _, _ = run_folge("remind", "--study", str(fresh_study), "--wave", "2015-1", "--invitations", str(out),
                           "-o", str(reminders))
    assert code == 0
    again = list(csv.DictReader(reminders.open(encoding="utf-8")))
    assert [r["token"] for r in again] == [rows[1]["token"], rows[2]["token"]]


# ------------------------------------------------------------------ answers
@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    return load_study(make_study(tmp_path_factory.mktemp("forms")))


def test_a_page_per_construct_in_instrument_order(loaded):
    pages = pages_for(loaded, ("participant-survey",))
    survey = loaded.instruments["participant-survey"]
    assert [p.construct.id for p in pages] == [c.id for c in survey.constructs]
    assert [p.number for p in pages] == list(range(1, len(pages) + 1))


@pytest.mark.parametrize("raw, expected", [(4, 4), ("4", 4), (" 4 ", 4), ("4.0", 4), (4.0, 4), (9, 9),
                                           ("", None), (None, None)])
def test_values_accepted_as_ingest_accepts_them(loaded, raw, expected):
    item = loaded.items["lc1"]  # agree6 with missing code 9
    assert clean_value(item, raw) == (expected, None)


@pytest.mark.parametrize("raw, code", [(7, "out-of-range"), (0, "out-of-range"), ("4.5", "out-of-range"),
                                       ("fire", "not-a-number"), (True, "not-a-number"), ([4], "not-a-number")])
def test_invalid_values_are_refused_with_the_ingest_codes(loaded, raw, code):
    _, problem = clean_value(loaded.items["lc1"], raw)
    assert problem is not None and problem.code == code and problem.item == "lc1"


def test_free_text_is_checked_for_type_and_length(loaded):
    item = loaded.items["comment"]
    assert clean_value(item, "  hei  ") == ("hei", None)
    assert clean_value(item, 5)[1].code == "not-text"
    assert clean_value(item, "x" * (TEXT_LIMIT + 1))[1].code == "too-long"


def test_unknown_items_and_items_of_other_instruments_are_refused(loaded):
    items = items_for(loaded, ("participant-survey",))
    clean, problems = clean_answers(items, {"lc1": 5, "rs_own_budget": 1, "nope": 1})
    assert clean == {"lc1": 5}
    assert sorted(p.item for p in problems) == ["nope", "rs_own_budget"]
    assert clean_answers(items, ["lc1"])[1][0].code == "not-a-mapping"


# ------------------------------------------------------------------ protections
def test_token_bucket_allows_a_burst_then_refills():
    bucket = TokenBucket(capacity=3, per_minute=60)
    assert [bucket.take("k", now=0.0) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert bucket.take("k", now=0.0) == pytest.approx(1.0)
    assert bucket.take("k", now=1.0) == 0.0
    assert bucket.take("other", now=0.0) == 0.0


def test_address_ceiling_is_high_enough_for_a_gathering():
    limits = RateLimits()
    assert limits.address.capacity >= 2000  # 200 respondents × several requests from one NAT address


def test_csrf_tokens_are_bound_to_cookie_and_invitation():
    csrf = Csrf(b"secret")
    form = csrf.form_token("cookie-1234567890", "hash-a")
    assert csrf.verify("cookie-1234567890", "hash-a", form)
    assert not csrf.verify("cookie-other-12345", "hash-a", form)
    assert not csrf.verify("cookie-1234567890", "hash-b", form)
    assert not csrf.verify(None, "hash-a", form)
    assert Csrf.cross_site({"sec-fetch-site": "cross-site"}, "x")
    assert Csrf.cross_site({"origin": "https://evil.example"}, "survey.example")
    assert not Csrf.cross_site({"origin": "https://survey.example", "sec-fetch-site": "same-origin"},
                               "survey.example")


def test_token_in_path():
    assert token_in_path("/s/abc/p/2") == "abc"
    assert token_in_path("/api/v1/responses/abc/submit") == "abc"
    assert token_in_path("/admin") is None


def test_every_ui_text_exists_in_bokmal_nynorsk_and_english():
    missing = [key for key, texts in TEXTS.items() for lang in UI_LANGUAGES if not texts.get(lang)]
    assert missing == []


def test_schema_has_the_web_tables(fresh_study):
    with Store.open(fresh_study, create=True) as store:
        names = {r[0] for r in store.connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert {"invitations", "drafts"} <= names
        with pytest.raises(sqlite3.IntegrityError):  # a draft needs its invitation
            store.connection.execute("INSERT INTO drafts (token_hash, updated_at) VALUES ('x', 'now')")


def test_erasing_a_respondent_removes_their_invitation_and_draft(fresh_study):
    from folge.web import _collect

    rows = invite(fresh_study, "--wave", "2015-1", "--region", "sogn", "--role", "business", "--count", "1")
    token = rows[0]["token"]
    with Store.open(fresh_study) as store:
        invitation, _ = _collect.load(store.connection, token)
        _collect.save_draft(store.connection, invitation, {"lc1": 3})
        assert store.erase(invitation.pseudonym) >= 1
        assert _collect.load(store.connection, token)[0] is None
        assert store.connection.execute("SELECT COUNT(*) FROM drafts").fetchone()[0] == 0


def test_response_rates_see_respondent_invitations_only(fresh_study):
    invite(fresh_study, "--wave", "2015-1", "--region", "sogn", "--role", "coordinator", "--coordinator",
           "--count", "1")
    invite(fresh_study, "--wave", "2015-1", "--region", "sogn", "--role", "business", "--count", "3")
    with Store.open(fresh_study) as store:
        assert len(store.invitations()) == 3 and len(store.invitations(level=None)) == 4
        assert list(store.invitations().columns) == ["region", "wave", "role", "instruments", "submitted", "opted_out"]
