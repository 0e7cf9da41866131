"""The web side of mail: the opt-out page (GET confirm, POST, RFC 8058 one-click), the
schedule honoured by the questionnaire (HTML and API), page times, and the coordinator view.

The app runs in-process (Starlette's TestClient) with a clock the test sets, so the
wave's ``opens``–``closes`` can be crossed without waiting.
"""

from __future__ import annotations

import base64
import datetime as dt
import re

import pytest
from starlette.testclient import TestClient

from _mailsupport import OPTOUT, contacts_csv, parts, run_folge, submit_through_store
from folge.definitions import load_study
from folge.store import Store
from folge.web import WebSettings, create_app, find_optout

OSLO = dt.timezone(dt.timedelta(hours=1))  # March 2026 is winter time in Oslo
WAVE = "2026-1"  # opens 2026-03-02T08:00, closes 2026-03-31 (24:00) in study.yaml
INSIDE = dt.datetime(2026, 3, 3, 12, 0, tzinfo=OSLO)  # after opens, before the first reminder (day 7)
PASSWORD = "admin secret"


class Clock:
    """A settable clock for the app."""

    def __init__(self, moment: dt.datetime):
        self.moment = moment

    def __call__(self) -> dt.datetime:
        return self.moment

    def advance(self, seconds: float) -> None:
        self.moment += dt.timedelta(seconds=seconds)


def _client(study, clock, failures: float = 120) -> TestClient:
    app = create_app(study, WebSettings(rate_failures=failures), admin_password=PASSWORD, clock=clock)
    return TestClient(app, base_url="https://survey.example.no", follow_redirects=False)


@pytest.fixture
def mailed(study, smtp, tmp_path):
    """18 contacts invited to wave 2026-1 by mail; the parsed messages."""
    path = tmp_path / "contacts.csv"
    path.write_text(contacts_csv(), encoding="utf-8")
    assert run_folge("contacts", "import", "--study", str(study), str(path))[0] == 0
    code, out, err = run_folge("mail", "run", "--study", str(study), "--now", INSIDE.isoformat())
    assert code == 0, err
    return smtp.recorder.parsed()


def _optout_id(message) -> str:
    return OPTOUT.findall(parts(message)[0])[0]


def _token(message) -> str:
    return re.findall(r"https://survey\.example\.no/s/([A-Za-z0-9_-]+)", parts(message)[0])[0]


def _opted_out(study, opaque) -> bool:
    with Store.open(study) as store:
        return find_optout(store.connection, opaque).opted_out


def test_optout_page_confirms_then_records_in_the_contacts_language(study, mailed):
    nynorsk = next(m for m in mailed if m["Content-Language"] == "nn")
    opaque = _optout_id(nynorsk)
    with _client(study, Clock(INSIDE)) as client:
        page = client.get(f"/optout/{opaque}")
        assert page.status_code == 200 and '<html lang="nn"' in page.text
        assert 'method="post"' in page.text and "Stadfest" in page.text
        assert not _opted_out(study, opaque)  # a GET (a link scanner) opts nobody out
        done = client.post(f"/optout/{opaque}", data={"lang": "nn"})
        assert done.status_code == 200 and "Du får ikkje fleire e-postar" in done.text
        assert _opted_out(study, opaque)
        with Store.open(study) as store:
            first = store.connection.execute("SELECT opted_out_at FROM contacts WHERE opted_out_at IS NOT NULL"
                                             ).fetchall()
        again = client.post(f"/optout/{opaque}")
        assert again.status_code == 200
        assert client.get(f"/optout/{opaque}?lang=en").text.count("You will get no more e-mails") >= 1
    with Store.open(study) as store:
        assert store.connection.execute("SELECT opted_out_at FROM contacts WHERE opted_out_at IS NOT NULL"
                                        ).fetchall() == first  # idempotent: the first time is kept


def test_english_contact_gets_english_and_region_language_is_the_fallback(study, mailed):
    english = next(m for m in mailed if m["Content-Language"] == "en")
    bokmal = next(m for m in mailed if m["Content-Language"] == "nb")
    with _client(study, Clock(INSIDE)) as client:
        assert '<html lang="en"' in client.get(f"/optout/{_optout_id(english)}").text
        assert '<html lang="nb"' in client.get(f"/optout/{_optout_id(bokmal)}").text
        switched = client.get(f"/optout/{_optout_id(bokmal)}?lang=en")  # the language switch carries on
        action = re.search(r'<form method="post" action="([^"]+)"', switched.text).group(1)
        assert action.endswith("?lang=en") and "no more e-mails" in client.post(action).text


def test_one_click_post_without_cookies_from_another_site_opts_out(study, mailed):
    opaque = _optout_id(mailed[0])
    assert mailed[0]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    with _client(study, Clock(INSIDE)) as client:
        client.cookies.clear()
        response = client.post(f"/optout/{opaque}", content=b"List-Unsubscribe=One-Click",
                               headers={"content-type": "application/x-www-form-urlencoded",
                                        "origin": "https://mail.example.com", "sec-fetch-site": "cross-site"})
        assert response.status_code == 200
        assert _opted_out(study, opaque)
        # the exemption is this route only: a cross-site form post to the questionnaire is refused
        token = _token(mailed[1])
        refused = client.post(f"/s/{token}/consent", data={"consent": "yes"},
                              headers={"origin": "https://mail.example.com", "sec-fetch-site": "cross-site"})
        assert refused.status_code == 403


def test_unknown_optout_ids_are_404_and_spend_the_failure_budget(study, mailed):
    with _client(study, Clock(INSIDE), failures=3) as client:
        codes = [client.get(f"/optout/{'x' * 32}").status_code for _ in range(3)]
        assert codes == [404, 404, 404]
        assert client.post(f"/optout/{'y' * 32}").status_code == 429
        assert client.get(f"/s/{'z' * 32}").status_code == 429  # one budget for ids and tokens


def test_opted_out_contact_gets_no_reminder_and_is_counted_apart(study, smtp, mailed):
    opaque = _optout_id(mailed[0])
    with _client(study, Clock(INSIDE)) as client:
        assert client.post(f"/optout/{opaque}").status_code == 200
        for message in mailed[1:6]:
            submit_through_store(study, _token(message))
        client.get(f"/s/{_token(mailed[6])}")  # opened, not answered
        auth = {"authorization": "Basic " + base64.b64encode(f"x:{PASSWORD}".encode()).decode()}
        admin = client.get("/admin?lang=en", headers=auth)
    assert admin.status_code == 200 and "Opened" in admin.text and "Opted out of e-mail" in admin.text
    cells = [list(map(int, re.findall(r'<td class="number">(\d+)</td>', row)))
             for row in re.findall(r"<tr>(.*?)</tr>", admin.text, re.S)[1:]]
    invited, opened, started, submitted, opted_out = (sum(c[i] for c in cells) for i in range(5))
    assert (invited, opened, submitted, opted_out) == (18, 6, 5, 1)
    before = len(smtp.recorder.messages)
    code, out, err = run_folge("mail", "run", "--study", str(study), "--now", "2026-03-09T09:00")
    assert code == 0 and "sent 12" in out, out + err  # 18 invited − 5 answered − 1 opted out
    sent_to = {m["To"].addresses[0].addr_spec for m in smtp.recorder.parsed()[before:]}
    assert mailed[0]["To"].addresses[0].addr_spec not in sent_to
    from folge.analysis import compute_analysis

    rates = compute_analysis(study).tables["response_rates"]
    rates = rates[(rates["wave"] == WAVE) & (rates["role"] == "all")]
    assert rates["invited"].sum() == 18 and rates["responded"].sum() == 5 and rates["opted_out"].sum() == 1


@pytest.mark.parametrize(("moment", "html_text", "api_key"), [
    (dt.datetime(2026, 3, 2, 7, 59, tzinfo=OSLO), "opens on 02.03.2026 at 08:00", "opens"),
    (dt.datetime(2026, 4, 1, 0, 0, tzinfo=OSLO), "closed on 31.03.2026 at 24:00", "closes"),
])
def test_answers_outside_opens_and_closes_are_refused_politely(study, mailed, moment, html_text, api_key):
    token = _token(mailed[0])
    clock = Clock(moment)
    with _client(study, clock) as client:
        page = client.get(f"/s/{token}?lang=en")
        assert page.status_code == 403 and html_text in page.text
        api = client.put(f"/api/v1/responses/{token}", json={"answers": {}})
        assert api.status_code == 403
        error = api.json()["error"]
        assert error["code"] == "wave-not-open" and api_key in error and api_key.rstrip("s") in error["message"]
        clock.moment = INSIDE
        assert client.get(f"/s/{token}").status_code == 200  # the same link works inside the window


def test_page_times_are_recorded_from_show_to_save(study, mailed):
    token = _token(mailed[0])
    clock = Clock(INSIDE)
    survey = load_study(study).instruments["participant-survey"]
    with _client(study, clock) as client:
        client.get(f"/s/{token}")
        consent = client.get(f"/s/{token}")
        csrf = re.search(r'name="csrf" value="([^"]+)"', consent.text).group(1)
        assert client.post(f"/s/{token}/consent", data={"consent": "yes", "csrf": csrf}).status_code == 303
        page = client.get(f"/s/{token}/p/1")
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
        construct = survey.constructs[0]
        answers = {item.id: str(item.scale.values[0]) for item in construct.items}
        clock.advance(40)
        saved = client.post(f"/s/{token}/p/1", data={**answers, "csrf": csrf, "action": "later"})
        assert saved.status_code == 303
        clock.advance(5)
        client.put(f"/api/v1/responses/{token}", json={"answers": {construct.items[0].id: None}})
        with Store.open(study) as store:
            assert store.page_times().empty  # not submitted yet: nothing to flag
            rows = store.connection.execute(
                "SELECT page, instrument, shown_at, saved_at, items FROM page_times ORDER BY page").fetchall()
            opened = store.connection.execute("SELECT count(*) FROM invitations WHERE opened_at IS NOT NULL"
                                              ).fetchone()[0]
        assert client.post(f"/api/v1/responses/{token}/submit").status_code == 200
    assert opened == 1
    api_row, page_row = rows
    assert page_row[:2] == (1, "participant-survey") and page_row[4] == len(construct.items)
    shown, saved_at = (dt.datetime.fromisoformat(v) for v in page_row[2:4])
    assert (saved_at - shown).total_seconds() == 40
    assert api_row[0] == 0 and api_row[2] is None and api_row[4] == len(construct.items) - 1
    with Store.open(study) as store:
        times = store.page_times()
    assert len(times) == 2 and set(times["page"]) == {0, 1}
