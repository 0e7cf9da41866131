"""Helpers for the web tests: a small study, invitations, and a real server on loopback.

The server runs as ``folge serve`` in a subprocess on 127.0.0.1 and a free port, exactly as
a coordinator would start it; tests talk to it over HTTP (httpx) or through headless
Chromium (Playwright with Debian's ``/usr/bin/chromium``).
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[2]
ADMIN_PASSWORD = "correct horse battery staple"

STUDY_YAML = """\
programme: Utviklingsprogram for byregioner
short_name: ByReg
owner: {nb: Følgeforskningen i ByReg, nn: Følgjeforskinga i ByReg, en: The ByReg follow-up research}
contact: personvern@example.org
min_n: 5
languages: [nb, nn, en]
regions:
  - {id: kongsberg, name: Kongsbergregionen, language: nb}
  - {id: sogn, name: Sogneregionen, language: nn}
roles:
  - {id: politician, sector: municipality}
  - {id: business, sector: business}
  - {id: coordinator, sector: municipality}
waves:
  - {id: "2014-2", date: 2014-10-01, instruments: [participant-survey], closed: true}
  - {id: "2015-1", date: 2015-03-01, instruments: [participant-survey, region-status]}
"""


def make_study(folder: Path) -> Path:
    """A study folder with two shipped instruments, a two-region design and a pseudonym key."""
    from folge.pseudonym import create_key

    folder.mkdir(parents=True, exist_ok=True)
    (folder / "instruments").mkdir(exist_ok=True)
    for name in ("scales.yaml", "participant-survey.yaml", "region-status.yaml"):  # the instruments used
        shutil.copy(REPO / "instruments" / name, folder / "instruments" / name)
    (folder / "research").mkdir(exist_ok=True)
    (folder / "research" / "study.yaml").write_text(STUDY_YAML, encoding="utf-8")
    create_key(folder)
    return folder


def run_folge(*args: str) -> tuple[int, str, str]:
    """Run ``folge ARGS`` in this process; return (exit code, stdout, stderr)."""
    from folge.cli import main

    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue()


def invite(study: Path, *args: str) -> list[dict]:
    """``folge invite`` for ``study``; the mail-merge rows it wrote."""
    code, out, err = run_folge("invite", "--study", str(study), *args)
    assert code == 0, err
    return list(csv.DictReader(io.StringIO(out)))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """``folge serve`` in a subprocess on loopback; start, kill (SIGKILL) and restart."""

    def __init__(self, study: Path, env: dict[str, str] | None = None):
        self.study = study
        self.port = free_port()
        self.env = {**os.environ, "FOLGE_ADMIN_PASSWORD": ADMIN_PASSWORD, **(env or {})}
        self.process: subprocess.Popen | None = None
        self.log = study / f"server-{self.port}.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30) -> "Server":
        code = "import sys; from folge.cli import main; sys.exit(main(sys.argv[1:]))"
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-c", code, "serve", "--study", str(self.study), "--host", "127.0.0.1",
                 "--port", str(self.port), "--log-level", "warning"],
                env={k: v for k, v in self.env.items() if v is not None}, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"folge serve exited with {self.process.returncode}:\n{self.log.read_text()}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"folge serve did not answer within {timeout} s:\n{self.log.read_text()}")

    def kill(self) -> None:
        """SIGKILL: no shutdown handlers, no flushing; what SQLite committed is all that is left."""
        if self.process and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()
