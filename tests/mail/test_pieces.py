"""The mail package's parts on their own: sealed tokens, SMTP URLs, templates, messages."""

from __future__ import annotations

import email
import email.policy

import pytest

from folge import FolgeError
from folge.mail import (MailSettings, MailTemplateError, MailTemplates, SealError, SmtpSettings, compose,
                        open_token, optout_id, seal_token)


def test_sealed_token_opens_only_with_its_key_contact_and_wave():
    sealed = seal_token(b"study-key", "tok-123", pseudonym="p1", wave="2026-1")
    assert open_token(b"study-key", sealed, pseudonym="p1", wave="2026-1") == "tok-123"
    assert sealed != seal_token(b"study-key", "tok-123", pseudonym="p1", wave="2026-1")  # fresh nonce
    assert "tok-123" not in sealed
    for key, pseudonym, wave in ((b"other-key", "p1", "2026-1"), (b"study-key", "p2", "2026-1"),
                                 (b"study-key", "p1", "2026-2")):
        with pytest.raises(SealError):
            open_token(key, sealed, pseudonym=pseudonym, wave=wave)
    damaged = sealed[:-4] + ("AAAA" if not sealed.endswith("AAAA") else "BBBB")
    for bad in (damaged, "v2." + sealed[3:], "v1.%%%"):
        with pytest.raises(SealError):
            open_token(b"study-key", bad, pseudonym="p1", wave="2026-1")


def test_optout_id_is_keyed():
    assert optout_id(b"k1", "p") != optout_id(b"k2", "p")


@pytest.mark.parametrize("url, scheme, host, port, user, password", [
    ("smtp://127.0.0.1:2525", "smtp", "127.0.0.1", 2525, None, None),
    ("smtp://mail.example.no", "smtp", "mail.example.no", 25, None, None),
    ("smtp+starttls://kari:s%40cret@smtp.example.no:587", "smtp+starttls", "smtp.example.no", 587, "kari", "s@cret"),
    ("smtps://u:p@smtp.example.no", "smtps", "smtp.example.no", 465, "u", "p"),
])
def test_smtp_urls(url, scheme, host, port, user, password):
    s = SmtpSettings.from_url(url)
    assert (s.scheme, s.host, s.port, s.username, s.password) == (scheme, host, port, user, password)
    assert "password" not in repr(s)  # never printed in a log or traceback


@pytest.mark.parametrize("url", ["http://x.no", "smtp://", "smtp://x.no:port", "", "mail.example.no:25"])
def test_bad_smtp_urls(url):
    with pytest.raises(FolgeError, match="FOLGE_SMTP_URL"):
        SmtpSettings.from_url(url)


def test_mail_settings_from_env():
    s = MailSettings.from_env({"FOLGE_MAIL_FROM": "Følge <f@example.no>", "FOLGE_BASE_URL": "https://x.no/"})
    assert s.base_url == "https://x.no" and s.sender_address == "f@example.no" and s.domain == "example.no"
    with pytest.raises(FolgeError, match="FOLGE_MAIL_FROM"):
        MailSettings.from_env({"FOLGE_BASE_URL": "https://x.no"})
    with pytest.raises(FolgeError, match="FOLGE_BASE_URL"):
        MailSettings.from_env({"FOLGE_MAIL_FROM": "f@example.no", "FOLGE_BASE_URL": "x.no"})


CONTEXT = {"name": "Kari <script>", "programme": "P & Q", "region": "Sunnfjord", "wave": "2026-1",
           "closes": "31.03.2026"}


def test_templates_escape_html_and_keep_one_link(repo_root):
    templates = MailTemplates(repo_root)
    for lang in ("nb", "nn", "en"):
        for kind in ("invitation", "reminder"):
            words = templates.render(kind, lang, CONTEXT, link="https://x.no/s/TOK", optout_url="https://x.no/optout/O")
            assert words.lang == lang and words.text.count("https://x.no/s/TOK") == 1
            assert words.html.count("https://x.no/s/TOK") == 1 and "<script>" not in words.html
            assert "Kari &lt;script&gt;" in words.html and "Kari <script>" in words.text
            assert "31.03.2026" in words.text and "https://x.no/optout/O" in words.text + words.html


def test_template_without_exactly_one_link_is_refused(tmp_path, repo_root):
    import shutil

    folder = tmp_path / "instruments" / "mail"
    shutil.copytree(repo_root / "instruments" / "mail", folder)
    text = (folder / "nb.yaml").read_text(encoding="utf-8")
    (folder / "nb.yaml").write_text(text.replace("    {{ link }}\n", "    {{ link }} {{ link }}\n", 1), encoding="utf-8")
    with pytest.raises(MailTemplateError, match="exactly once"):
        MailTemplates(tmp_path).render("invitation", "nb", CONTEXT, link="L", optout_url="O")
    # a language without its own file falls back to bokmål
    (folder / "en.yaml").unlink()
    assert MailTemplates(tmp_path).render("reminder", "en", CONTEXT, link="L", optout_url="O").lang == "nb"


def test_compose_has_one_recipient_and_the_headers(repo_root):
    words = MailTemplates(repo_root).render("invitation", "en", CONTEXT, link="https://x.no/s/TOK",
                                            optout_url="https://x.no/optout/O")
    settings = MailSettings("Følge <f@example.no>", "https://x.no")
    message = compose(words, settings=settings, recipient="kari@example.no", name="Kari Nordmann",
                      unsubscribe_url="https://x.no/optout/O")
    parsed = email.message_from_bytes(message.as_bytes(), policy=email.policy.default)
    assert [a.addr_spec for a in parsed["To"].addresses] == ["kari@example.no"]
    assert parsed["Content-Language"] == "en" and parsed["Message-ID"].endswith("@example.no>")
    assert [p.get_content_type() for p in parsed.iter_parts()] == ["text/plain", "text/html"]
    assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_init_ships_the_mail_templates(tmp_path):
    from folge.study_folder import create_study

    root = create_study(tmp_path / "new")
    assert sorted(p.name for p in (root / "instruments" / "mail").iterdir()) == ["en.yaml", "layout.html",
                                                                                  "nb.yaml", "nn.yaml"]
    assert MailTemplates(root).folder == root / "instruments" / "mail"
