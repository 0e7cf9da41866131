"""A refused message is failed and retried; a server lost mid-run logs only what it accepted."""

from __future__ import annotations

from _mailsupport import contacts_csv, run_folge

from folge.definitions import load_study
from folge.mail import Throttle, send_invitations
from folge.store import Store

WAVE = "2015-1"


def _import(study, tmp_path):
    path = tmp_path / "contacts.csv"
    path.write_text(contacts_csv(), encoding="utf-8")
    code, _, err = run_folge("contacts", "import", "--study", str(study), str(path))
    assert code == 0, err


def _logged(study) -> list[str]:
    with Store.open(study) as store:
        rows = store.connection.execute(
            "SELECT c.email FROM mail_log AS l JOIN contacts AS c ON c.respondent = l.respondent "
            "WHERE l.kind = 'invitation' ORDER BY l.id").fetchall()
    return [r[0] for r in rows]


def _received(smtp) -> list[str]:
    return [rcpts[0].lower() for rcpts, _ in smtp.recorder.messages]


def test_refused_messages_fail_and_go_with_the_next_run(study, smtp, tmp_path):
    _import(study, tmp_path)
    smtp.recorder.refuse = {"person01@example.no": "550 5.1.1 No such user",
                            "person02@example.no": "451 4.3.0 Try again later"}
    code, out, err = run_folge("invite", "--study", str(study), "--wave", WAVE, "--send")
    assert code == 1
    assert "sent 16" in out and "failed 2" in out
    assert "person01@example.no: refused by the server: 550" in err and "451" in err
    assert sorted(_logged(study)) == sorted(_received(smtp))
    smtp.recorder.refuse = {}
    code, out, err = run_folge("invite", "--study", str(study), "--wave", WAVE, "--send")
    assert code == 0 and "sent 2" in out
    assert sorted(_received(smtp)[16:]) == ["person01@example.no", "person02@example.no"]
    assert len(set(_logged(study))) == 18 == len(set(_received(smtp))) == len(_received(smtp))


class _StopServerAfter(Throttle):
    """Stops the SMTP server before the (n+1)-th message, as a crash or restart would."""

    def __init__(self, smtp, n: int):
        super().__init__(None)
        self.smtp, self.n, self.calls = smtp, n, 0

    def wait(self) -> None:
        if self.calls == self.n:
            self.smtp.stop()
        self.calls += 1


def test_server_stopped_mid_run_logs_only_accepted_messages(study, smtp, tmp_path):
    _import(study, tmp_path)
    loaded = load_study(study)
    with Store.open(study) as store:
        run = send_invitations(store, loaded, WAVE, throttle=_StopServerAfter(smtp, 6))
    assert run.sent == 6 and run.server_error and f"127.0.0.1:{smtp.port}" in run.server_error
    assert run.failed == 1 and run.not_attempted == 11 and not run.ok
    assert _logged(study) == _received(smtp) and len(_received(smtp)) == 6
    smtp.start()
    code, out, err = run_folge("invite", "--study", str(study), "--wave", WAVE, "--send")
    assert code == 0 and "sent 12" in out, err
    assert sorted(_logged(study)) == sorted(_received(smtp)) and len(set(_received(smtp))) == 18


def test_mid_run_loss_on_the_command_line_is_one_line_and_exit_1(study, smtp, tmp_path, monkeypatch):
    _import(study, tmp_path)
    calls = []

    def stop_after_three(self) -> None:
        if len(calls) == 3:
            smtp.stop()
        calls.append(1)

    monkeypatch.setattr(Throttle, "wait", stop_after_three)
    code, out, err = run_folge("invite", "--study", str(study), "--wave", WAVE, "--send")
    assert code == 1 and "sent 3" in out
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and f"127.0.0.1:{smtp.port}" in lines[0] and "Traceback" not in err
    assert "15 melding(er) / message(s) not sent" in lines[0]


def test_throttle_spaces_messages():
    now = [0.0]
    slept = []

    def sleep(seconds):
        slept.append(seconds)
        now[0] += seconds

    throttle = Throttle(30, clock=lambda: now[0], sleep=sleep)
    for _ in range(3):
        throttle.wait()
        now[0] += 0.5  # sending takes half a second
    assert slept == [1.5, 1.5]  # 30 a minute: 2 s apart


def test_a_second_run_waits_for_the_first(study, smtp, tmp_path):
    from folge.mail import one_run_at_a_time

    _import(study, tmp_path)
    with one_run_at_a_time(study):
        code, out, err = run_folge("invite", "--study", str(study), "--wave", WAVE, "--send")
    assert code == 1 and "another mail run" in err and smtp.recorder.messages == []
    assert run_folge("invite", "--study", str(study), "--wave", WAVE, "--send")[0] == 0


def test_unset_environment_is_one_clear_line(study, smtp, tmp_path, monkeypatch):
    _import(study, tmp_path)
    monkeypatch.delenv("FOLGE_SMTP_URL")
    code, out, err = run_folge("invite", "--study", str(study), "--wave", WAVE, "--send")
    assert code == 1 and err.startswith("folge: set FOLGE_SMTP_URL") and len(err.strip().splitlines()) == 1
    monkeypatch.setenv("FOLGE_SMTP_URL", smtp.url)
    monkeypatch.delenv("FOLGE_BASE_URL")
    code, out, err = run_folge("invite", "--study", str(study), "--wave", WAVE, "--send")
    assert code == 1 and "FOLGE_BASE_URL" in err


def test_closed_or_unknown_waves_are_refused(study, smtp, tmp_path):
    _import(study, tmp_path)
    code, out, err = run_folge("invite", "--study", str(study), "--wave", "2014-2", "--send")
    assert code == 1 and "closed" in err
    code, out, err = run_folge("remind", "--study", str(study), "--wave", "2015-9", "--send")
    assert code == 1 and "unknown wave '2015-9'" in err
    code, out, err = run_folge("invite", "--study", str(study), "--wave", WAVE, "--send", "--region", "oslo")
    assert code == 1 and "unknown region 'oslo'" in err
    assert smtp.recorder.messages == []
    code, out, err = run_folge("invite", "--study", str(study), "--wave", WAVE, "--send", "--region", "sogn")
    assert code == 0 and "sent 9" in out  # the even-numbered people


def test_a_broken_template_stops_the_run_before_anything_is_sent(study, smtp, tmp_path):
    _import(study, tmp_path)
    template = study / "instruments" / "mail" / "nn.yaml"
    template.write_text(template.read_text(encoding="utf-8").replace("    {{ link }}\n", "    lenkje\n", 1),
                        encoding="utf-8")
    for extra in (["--dry-run"], []):
        code, out, err = run_folge("invite", "--study", str(study), "--wave", WAVE, "--send", *extra)
        assert code == 1 and "nn.yaml" in err and "exactly once" in err, err
    assert smtp.recorder.messages == [] and _logged(study) == []
