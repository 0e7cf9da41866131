"""Issue 16's acceptance, against a real SMTP server (aiosmtpd on loopback).

20 contact rows (2 bad) → ``invite --send`` delivers 18, each with its own link in the
right language; a rerun delivers 0; after 5 submit, ``remind --send`` delivers exactly 13
and a rerun 0; with the server down exit 1, and when it is back the 13 pending go.
"""

from __future__ import annotations

from _mailsupport import BASE_URL, LINK, OPTOUT, contacts_csv, parts, run_folge, submit_through_store

WAVE = "2015-1"


def _expected_language(address: str) -> str:
    i = int(address[6:8])
    return "en" if i % 5 == 0 else ("nb" if i % 2 else "nn")


def _import(study, tmp_path) -> tuple[int, str, str, str]:
    path = tmp_path / "contacts.csv"
    path.write_text(contacts_csv(), encoding="utf-8")
    return (*run_folge("contacts", "import", "--study", str(study), str(path)), str(path))


def _links(smtp) -> dict[str, str]:
    """Recipient → the token of its message (every message of the recorder)."""
    found = {}
    for message in smtp.recorder.parsed():
        plain, _ = parts(message)
        found.setdefault(message["To"].addresses[0].addr_spec, set()).update(LINK.findall(plain))
    return found


def test_invite_remind_rerun_and_server_down(study, smtp, tmp_path):
    code, out, err, path = _import(study, tmp_path)
    assert code == 0, err
    bad = [line for line in err.splitlines() if line.startswith(path + ":")]
    assert [line.split(":")[1] for line in bad] == ["8", "15"]
    assert "invalid address" in bad[0] and "unknown region 'atlantis'" in bad[1]
    assert "stored 18" in out and "invalid 2" in out

    code, out, err = run_folge("invite", "--study", str(study), "--wave", WAVE, "--send")
    assert code == 0, err
    assert "sent 18, hoppet over / skipped 0, feilet / failed 0" in out
    messages = smtp.recorder.parsed()
    assert len(messages) == 18
    tokens = {}
    for (envelope_to, raw), message in zip(smtp.recorder.messages, messages):
        address = message["To"].addresses[0].addr_spec
        assert envelope_to == [address] and message["Cc"] is None and message["Bcc"] is None
        plain, html = parts(message)
        assert len(LINK.findall(plain)) == 1 and len(LINK.findall(html)) == 1
        assert LINK.findall(plain) == LINK.findall(html)
        tokens[address] = LINK.findall(plain)[0]
        lang = _expected_language(address)
        assert message["Content-Language"] == lang and f'<html lang="{lang}">' in html
        optout = OPTOUT.findall(plain)
        assert len(optout) == 1 and OPTOUT.findall(html) == optout
        assert message["List-Unsubscribe"].strip() == f"<{BASE_URL}/optout/{optout[0]}>"  # may be folded
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert message["Date"] and message["Message-ID"] and message["Subject"]
        assert message.get_content_type() == "multipart/alternative"
    assert len(set(tokens.values())) == 18 and len(tokens) == 18
    # no message carries another person's link or address
    for (_, raw), message in zip(smtp.recorder.messages, messages):
        own = message["To"].addresses[0].addr_spec
        text = raw.decode("utf-8", "replace").lower()
        for address, token in tokens.items():
            if address != own:
                assert address not in text and token.lower() not in text

    code, out, err = run_folge("invite", "--study", str(study), "--wave", WAVE, "--send")
    assert code == 0, err
    assert "sent 0, hoppet over / skipped 18" in out and len(smtp.recorder.messages) == 18

    answered = sorted(tokens)[:5]
    for address in answered:
        submit_through_store(study, tokens[address])

    smtp.stop()
    code, out, err = run_folge("remind", "--study", str(study), "--wave", WAVE, "--send")
    assert code == 1
    assert len(err.strip().splitlines()) == 1 and f"127.0.0.1:{smtp.port}" in err and "Traceback" not in err
    smtp.start()
    code, out, err = run_folge("remind", "--study", str(study), "--wave", WAVE, "--send")
    assert code == 0, err
    assert "sent 13" in out and "skipped 5" in out
    reminders = smtp.recorder.parsed()[18:]
    assert len(reminders) == 13
    reminded = {m["To"].addresses[0].addr_spec for m in reminders}
    assert reminded == set(tokens) - set(answered)
    for message in reminders:  # the same link as the invitation
        plain, _ = parts(message)
        assert LINK.findall(plain) == [tokens[message["To"].addresses[0].addr_spec]]

    code, out, err = run_folge("remind", "--study", str(study), "--wave", WAVE, "--send")
    assert code == 0 and "sent 0" in out and len(smtp.recorder.messages) == 31
    # the listing without --send still works and sees 13 not submitted
    code, out, err = run_folge("remind", "--study", str(study), "--wave", WAVE)
    assert code == 0 and len(out.strip().splitlines()) == 1 + 13


def test_server_unreachable_makes_and_records_nothing(study, smtp, tmp_path):
    from folge.store import Store

    _import(study, tmp_path)
    smtp.stop()
    code, out, err = run_folge("invite", "--study", str(study), "--wave", WAVE, "--send")
    assert code == 1
    assert err.strip().splitlines() == [err.strip()] and f"127.0.0.1:{smtp.port}" in err
    assert "connection refused" in err and "Traceback" not in err
    with Store.open(study) as store:
        assert store.connection.execute("SELECT COUNT(*) FROM mail_log").fetchone()[0] == 0
        assert store.connection.execute("SELECT COUNT(*) FROM invitations").fetchone()[0] == 0
    smtp.start()
    code, out, err = run_folge("invite", "--study", str(study), "--wave", WAVE, "--send")
    assert code == 0 and "sent 18" in out


def test_dry_run_connects_to_nothing_and_records_nothing(study, smtp, tmp_path):
    from folge.store import Store

    _import(study, tmp_path)
    smtp.stop()
    code, out, err = run_folge("invite", "--study", str(study), "--wave", WAVE, "--send", "--dry-run")
    assert code == 0, err
    lines = out.strip().splitlines()
    assert len(lines) == 19 and "would send 18" in lines[-1]
    assert any("person05@example.no (sogn" not in line and "person05@example.no" in line and ", en)" in line
               for line in lines)
    with Store.open(study) as store:
        assert store.connection.execute("SELECT COUNT(*) FROM invitations").fetchone()[0] == 0
        assert store.connection.execute("SELECT COUNT(*) FROM mail_tokens").fetchone()[0] == 0
