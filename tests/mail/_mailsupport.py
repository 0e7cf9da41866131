"""Helpers for the mail tests: a real SMTP server on loopback, a small study, contacts.

The server is aiosmtpd's, started on 127.0.0.1 and a free port; every message it accepts
is kept as bytes and parsed back with :mod:`email`. It can refuse given recipients (4xx
or 5xx) and be stopped and started again on the same port, so tests see what folge does
when the server goes away.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import hashlib
import io
import json
import re
import shutil
import socket
import time
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pandas as pd
from aiosmtpd.controller import Controller

from folge.ingest import ingest_frame

REPO = Path(__file__).resolve().parents[2]
BASE_URL = "https://survey.example.no"
SENDER = "Følgeforskning <survey@example.no>"

STUDY_YAML = """\
programme: Utviklingsprogram for byregioner
min_n: 5
languages: [nb, nn, en]
regions:
  - {id: kongsberg, name: Kongsbergregionen, language: nb}
  - {id: sogn, name: Sogneregionen, language: nn}
roles:
  - {id: politician, sector: municipality}
  - {id: business, sector: business}
waves:
  - {id: "2014-2", date: 2014-10-01, instruments: [participant-survey], closed: true}
  - id: "2015-1"
    date: 2015-03-01
    instruments: [participant-survey]
  - id: "2026-1"
    date: 2026-03-02
    instruments: [participant-survey]
    opens: 2026-03-02T08:00
    closes: 2026-03-31
    reminders: [7, 14]
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_study(folder: Path) -> Path:
    """A study folder: the shipped participant survey and mail templates, two regions, a key."""
    from folge.pseudonym import create_key

    (folder / "instruments").mkdir(parents=True, exist_ok=True)
    for name in ("scales.yaml", "participant-survey.yaml"):
        shutil.copy(REPO / "instruments" / name, folder / "instruments" / name)
    shutil.copytree(REPO / "instruments" / "mail", folder / "instruments" / "mail")
    (folder / "research").mkdir(exist_ok=True)
    (folder / "research" / "study.yaml").write_text(STUDY_YAML, encoding="utf-8")
    create_key(folder)
    return folder


#: 20 rows: 18 people (nb and nn regions, some preferring English) and 2 bad rows
#: (line 8: invalid address, line 15: unknown region).
def contacts_csv() -> str:
    lines = ["email,region,role,name,language"]
    for i in range(1, 21):
        region = "kongsberg" if i % 2 else "sogn"
        role = "politician" if i % 3 else "business"
        language = "en" if i % 5 == 0 else ""
        address = f"Person{i:02d}@Example.no"
        if i == 7:
            address = "person07.example.no"
        if i == 14:
            region = "atlantis"
        lines.append(f"{address},{region},{role},Person {i},{language}")
    return "\n".join(lines) + "\n"


class Recorder:
    """aiosmtpd handler: keeps accepted messages; refuses listed recipients with a given code."""

    def __init__(self):
        self.messages: list[tuple[list[str], bytes]] = []
        self.refuse: dict[str, str] = {}

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        reply = self.refuse.get(address.lower())
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((list(envelope.rcpt_tos), envelope.original_content or envelope.content))
        return "250 Message accepted for delivery"

    def parsed(self):
        return [email.message_from_bytes(raw, policy=email.policy.default) for _, raw in self.messages]


class SmtpServer:
    """A real SMTP server on 127.0.0.1 that can be stopped and started on the same port."""

    def __init__(self):
        self.port = free_port()
        self.recorder = Recorder()
        self.controller: Controller | None = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> SmtpServer:
        self.controller = Controller(self.recorder, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None
            time.sleep(0.05)


def run_folge(*args: str, env: dict | None = None, monkeypatch=None) -> tuple[int, str, str]:
    """Run ``folge ARGS`` in this process; return (exit code, stdout, stderr)."""
    from folge.cli import main

    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue()


LINK = re.compile(r"https://survey\.example\.no/s/([A-Za-z0-9_-]+)")
OPTOUT = re.compile(r"https://survey\.example\.no/optout/([A-Za-z0-9_-]+)")


def parts(message) -> tuple[str, str]:
    """The plain-text and HTML parts of a parsed message."""
    plain = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    return plain, html


def submit_through_store(study_root: Path, token: str) -> None:
    """What the web form does on submit, through the store's public API: the answers are
    ingested as a web import with the invitation's pseudonym, and the invitation is marked
    submitted in the same transaction."""
    from folge.definitions import load_study
    from folge.store import Store
    from folge.web import hash_token

    study = load_study(study_root)
    with Store.open(study_root) as store:
        connection = store.connection
        respondent, region, wave, role, instruments = connection.execute(
            "SELECT respondent, region, wave, role, instruments FROM invitations WHERE token_hash = ?",
            (hash_token(token),)).fetchone()
        instrument = study.instruments[instruments.split(",")[0]]
        item = next(i for i in instrument.items if i.scale.is_numeric)
        row = {"respondent": respondent, "region": region, "wave": wave, "role": role, item.id: str(item.scale.min)}
        frame = pd.DataFrame([row], dtype=object)
        digest = hashlib.sha256(json.dumps(row, sort_keys=True).encode()).hexdigest()
        connection.execute("BEGIN IMMEDIATE")
        try:
            result = ingest_frame(store, study, instrument, frame, wave, source="web", sha256=digest,
                                  source_kind="web", pseudonymised=True, in_transaction=True)
            assert result.stored == 1, result
            connection.execute("UPDATE invitations SET submitted_at = ? WHERE token_hash = ?",
                               (dt.datetime.now(dt.timezone.utc).isoformat(), hash_token(token)))
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise
