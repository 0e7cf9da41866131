"""``folge mail run --now`` over a simulated schedule, and the checks of the schedule itself.

Wave 2026-1 opens 2026-03-02T08:00 Oslo time, closes at the end of 2026-03-31, and has
reminders on days 7 and 14 (2026-03-09T08:00 and 2026-03-16T08:00).
"""

from __future__ import annotations

import datetime as dt

from _mailsupport import LINK, contacts_csv, parts, run_folge, submit_through_store

from folge.definitions import OSLO, check_definitions, load_study
from folge.store import Store


def _mail_run(study, now: str) -> tuple[int, str, str]:
    return run_folge("mail", "run", "--study", str(study), "--now", now)


def _log(study) -> list[tuple]:
    with Store.open(study) as store:
        return store.connection.execute(
            "SELECT c.email, l.wave, l.kind, l.step, l.sent_at FROM mail_log AS l "
            "JOIN contacts AS c ON c.respondent = l.respondent ORDER BY l.id").fetchall()


def test_mail_run_sends_each_invitation_once_and_each_reminder_on_its_day(study, smtp, tmp_path):
    path = tmp_path / "contacts.csv"
    path.write_text(contacts_csv(), encoding="utf-8")
    assert run_folge("contacts", "import", "--study", str(study), str(path))[0] == 0

    sent = lambda: len(smtp.recorder.messages)  # noqa: E731
    code, out, err = _mail_run(study, "2026-03-02T07:59")  # before opens
    assert code == 0 and sent() == 0, err
    code, out, err = _mail_run(study, "2026-03-02T08:00")
    assert code == 0 and sent() == 18 and "sent 18" in out, err
    assert {row[1] for row in _log(study)} == {"2026-1"}  # waves without opens get nothing
    tokens = {}
    for message in smtp.recorder.parsed():
        tokens[message["To"].addresses[0].addr_spec] = LINK.findall(parts(message)[0])[0]
    for now in ("2026-03-02T09:00", "2026-03-05T12:00", "2026-03-09T07:59"):
        assert _mail_run(study, now)[0] == 0
    assert sent() == 18
    for address in sorted(tokens)[:5]:
        submit_through_store(study, tokens[address])

    # a contact added on day 8 gets an invitation then, and no day-7 reminder
    late = tmp_path / "late.csv"
    late.write_text("email,region,role\nlate@example.no,sogn,business\n", encoding="utf-8")
    assert run_folge("contacts", "import", "--study", str(study), str(late))[0] == 0
    code, out, err = _mail_run(study, "2026-03-09T08:00")
    assert code == 0 and "sent 14" in out, err
    day7 = [row for row in _log(study) if row[2] == "reminder"]
    assert len(day7) == 13 and {row[3] for row in day7} == {7}
    assert "late@example.no" not in {row[0] for row in day7}
    assert [row[2] for row in _log(study) if row[0] == "late@example.no"] == ["invitation"]
    assert _mail_run(study, "2026-03-09T21:00")[0] == 0 and sent() == 32
    code, out, err = _mail_run(study, "2026-03-16T08:30")
    assert code == 0 and "sent 14" in out, err  # 13 + the late contact, day 14
    assert _mail_run(study, "2026-03-20T10:00")[0] == 0 and sent() == 46
    assert _mail_run(study, "2026-04-01T00:00")[0] == 0 and sent() == 46  # closed
    kinds = [(row[0], row[2], row[3]) for row in _log(study)]
    assert len(kinds) == len(set(kinds)) == 46
    # the log keeps the (simulated) time the server accepted each message, in UTC
    first = dt.datetime.fromisoformat(_log(study)[0][4])
    assert first == dt.datetime(2026, 3, 2, 8, 0, tzinfo=OSLO)


def test_missed_reminder_days_are_not_made_up(study, smtp, tmp_path):
    path = tmp_path / "contacts.csv"
    path.write_text("email,region,role\na@example.no,kongsberg,politician\n", encoding="utf-8")
    assert run_folge("contacts", "import", "--study", str(study), str(path))[0] == 0
    assert _mail_run(study, "2026-03-02T08:00")[0] == 0
    assert _mail_run(study, "2026-03-17T08:00")[0] == 0  # days 7 and 14 both past: one reminder
    assert _mail_run(study, "2026-03-18T08:00")[0] == 0
    assert [(row[2], row[3]) for row in _log(study)] == [("invitation", None), ("reminder", 14)]


def test_mail_run_dry_run_and_bad_now(study, smtp, tmp_path):
    path = tmp_path / "contacts.csv"
    path.write_text("email,region,role\na@example.no,kongsberg,politician\n", encoding="utf-8")
    assert run_folge("contacts", "import", "--study", str(study), str(path))[0] == 0
    code, out, err = run_folge("mail", "run", "--study", str(study), "--now", "2026-03-03", "--dry-run")
    assert code == 0 and "2026-1: invitation → a@example.no (kongsberg, politician, nb)" in out
    assert smtp.recorder.messages == [] and _log(study) == []
    code, out, err = run_folge("mail", "run", "--study", str(study), "--now", "tomorrow")
    assert code == 2 and "--now" in err


def test_schedule_is_parsed_in_oslo_time(study):
    wave = load_study(study).wave("2026-1")
    assert wave.opens == dt.datetime(2026, 3, 2, 8, 0, tzinfo=OSLO)
    assert wave.closes == dt.datetime(2026, 4, 1, 0, 0, tzinfo=OSLO)  # 24:00 on the 31st
    assert wave.opens.utcoffset() == dt.timedelta(hours=1) and wave.reminders == (7, 14)
    assert wave.accepts_answers(dt.datetime(2026, 3, 31, 21, 59, tzinfo=dt.timezone.utc))  # 23:59 summer time
    assert not wave.accepts_answers(dt.datetime(2026, 3, 31, 22, 0, tzinfo=dt.timezone.utc))
    assert not wave.accepts_answers(dt.datetime(2026, 3, 2, 6, 59, tzinfo=dt.timezone.utc))


def test_checker_reports_bad_schedules_with_lines(study):
    path = study / "research" / "study.yaml"
    text = path.read_text(encoding="utf-8")
    base = len(text.splitlines())
    text += ('  - id: "2026-2"\n'
             '    instruments: [participant-survey]\n'
             '    opens: 2026-09-31\n'             # base + 3: no such day
             '    closes: 2026-08-01\n'
             '    reminders: [7, 7, -1]\n'         # base + 5
             '  - id: "2027-1"\n'
             '    instruments: [participant-survey]\n'
             '    opens: 2027-03-01\n'
             '    closes: 2027-02-01\n'            # base + 9: before opens
             '    reminders: [40]\n')              # base + 10: after close (a warning)
    path.write_text(text, encoding="utf-8")
    found = [(p.line - base, p.code, p.severity) for p in check_definitions(study) if p.file.endswith("study.yaml")]
    assert sorted(found) == [(3, "bad-schedule", "error"), (5, "bad-schedule", "error"),  # the second 7, and -1
                             (5, "bad-schedule", "error"), (9, "bad-schedule", "error"),
                             (10, "reminder-after-close", "warning")]
    code, out, err = run_folge("instruments", "check", "--study", str(study))
    assert code == 1 and f"study.yaml:{base + 3}: bad-schedule" in out + err


def test_invite_send_and_mail_run_share_one_log(study, smtp, tmp_path):
    from folge.mail import send_invitations

    path = tmp_path / "contacts.csv"
    path.write_text(contacts_csv(), encoding="utf-8")
    assert run_folge("contacts", "import", "--study", str(study), str(path))[0] == 0
    loaded = load_study(study)
    done = []
    with Store.open(study) as store:
        run = send_invitations(store, loaded, "2026-1", region="sogn", progress=lambda n, total: done.append((n, total)),
                               now=dt.datetime(2026, 3, 3, 9, 0, tzinfo=OSLO))
    assert run.sent == 9 and done[-1] == (9, 9) and len(done) == 9
    code, out, err = _mail_run(study, "2026-03-03T10:00")
    assert code == 0 and "sent 9, hoppet over / skipped 9" in out  # only kongsberg's 9 were still due
    assert len(smtp.recorder.messages) == 18
