"""STARTTLS with login, and TLS from the first byte (smtps), against aiosmtpd with a
self-signed certificate the client is told to trust (``SSL_CERT_FILE``)."""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl

import pytest
from _mailsupport import Recorder, free_port
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from folge.mail import MailServerError, MailSettings, MailTemplates, SmtpSettings, SmtpTransport, compose

USER, PASSWORD = "kari@example.no", "p@ss:word"


@pytest.fixture
def certificate(tmp_path, monkeypatch):
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    monkeypatch.setenv("SSL_CERT_FILE", str(cert_file))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)
    return context


def _authenticate(server, session, envelope, mechanism, auth_data):
    return AuthResult(success=(auth_data.login.decode(), auth_data.password.decode()) == (USER, PASSWORD))


def _message(repo_root):
    words = MailTemplates(repo_root).render("invitation", "nb", {"name": "", "programme": "P", "region": "R",
                                                                 "wave": "W", "closes": ""},
                                            link="https://x.no/s/T", optout_url="https://x.no/optout/O")
    return compose(words, settings=MailSettings("s@example.no", "https://x.no"), recipient="a@example.no",
                   unsubscribe_url="https://x.no/optout/O")


def test_starttls_with_login(certificate, repo_root):
    recorder, port = Recorder(), free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port, tls_context=certificate,
                            require_starttls=True, authenticator=_authenticate, auth_required=True)
    controller.start()
    try:
        url = f"smtp+starttls://kari%40example.no:p%40ss%3Aword@127.0.0.1:{port}"
        with SmtpTransport(SmtpSettings.from_url(url)) as smtp:
            smtp.send(_message(repo_root), "s@example.no", "a@example.no")
        assert len(recorder.messages) == 1
        wrong = f"smtp+starttls://kari%40example.no:nope@127.0.0.1:{port}"
        # aiosmtpd holds back its answer to a failed login for longer than this test waits, so
        # the reason here is a time-out (a server answering 535 at once shows "535 …")
        with pytest.raises(MailServerError, match=f"mail server 127.0.0.1:{port}: cannot connect: "):
            SmtpTransport(SmtpSettings.from_url(wrong), timeout=3).__enter__()
        assert len(recorder.messages) == 1
    finally:
        controller.stop()


def test_smtps(certificate, repo_root):
    recorder, port = Recorder(), free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port, ssl_context=certificate)
    controller.start()
    try:
        with SmtpTransport(SmtpSettings.from_url(f"smtps://127.0.0.1:{port}")) as smtp:
            smtp.send(_message(repo_root), "s@example.no", "a@example.no")
        assert len(recorder.messages) == 1
    finally:
        controller.stop()


def test_untrusted_certificate_is_refused(certificate, repo_root, monkeypatch):
    monkeypatch.delenv("SSL_CERT_FILE")
    recorder, port = Recorder(), free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port, ssl_context=certificate)
    controller.start()
    try:
        with pytest.raises(MailServerError, match="TLS failed"):
            SmtpTransport(SmtpSettings.from_url(f"smtps://127.0.0.1:{port}")).__enter__()
        assert recorder.messages == []
    finally:
        controller.stop()
