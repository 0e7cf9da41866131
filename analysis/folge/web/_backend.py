"""The study and the store behind the web app, and the group commit of submissions.

Every store access runs on one database thread, so the SQLite connection is used by one
thread only and writes are serialised. ``research/study.yaml`` is re-read when it changes,
so closing a wave takes effect without a restart.
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path

from ..definitions import STUDY_FILE, Study, load_study, read_yaml
from . import _collect
from ._tokens import Invitation

__all__ = ["Backend", "Submissions", "read_contact"]

log = logging.getLogger("folge.web")


class Backend:
    """The study (re-read when its file changes) and the store, on one database thread."""

    def __init__(self, root: Path):
        self.root = root
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="folge-store")
        self._store_cm = None
        self.store = None
        self._study: Study = load_study(root)
        self._stamp = self._study_stamp()
        self.contact = read_contact(root)

    def _study_stamp(self):
        try:
            return (self.root / STUDY_FILE).stat().st_mtime_ns
        except OSError:
            return None

    @property
    def study(self) -> Study:
        """The study design, re-read first if ``research/study.yaml`` changed."""
        stamp = self._study_stamp()
        if stamp != self._stamp:
            self._stamp = stamp
            try:
                self._study = load_study(self.root)
                self.contact = read_contact(self.root)
            except Exception as exc:  # keep serving the last good design
                log.error("research/study.yaml changed but cannot be loaded; keeping the last design: %s", exc)
        return self._study

    def _open(self):
        from ..store import Store

        self._store_cm = Store.open(self.root, create=True)
        self.store = self._store_cm.__enter__()

    def _close(self):
        if self._store_cm is not None:
            self._store_cm.__exit__(None, None, None)
            self._store_cm = self.store = None

    async def start(self):
        """Open the store (on the database thread)."""
        await self.run(self._open)

    async def stop(self):
        """Close the store and end the database thread."""
        await self.run(self._close)
        self._pool.shutdown(wait=True)

    async def run(self, fn, *args, **kwargs):
        """Run ``fn(…)`` on the database thread."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, partial(fn, *args, **kwargs))

    async def db(self, fn, *args, **kwargs):
        """Run ``fn(connection, …)`` on the database thread."""
        return await self.run(lambda: fn(self.store.connection, *args, **kwargs))


class Submissions:
    """Group commit: submissions that arrive while the store is busy are stored together.

    Each waits for its own outcome; a batch is one transaction (see
    :func:`folge.web._collect.submit_many`), so acknowledging a submission always
    means it is committed, and many respondents at once cost a few transactions, not many.
    """

    BATCH = 500

    def __init__(self, backend: Backend):
        self.backend = backend
        self.pending: list[tuple[Invitation, dict | None, asyncio.Future]] = []
        self.wakeup: asyncio.Event | None = None
        self.worker: asyncio.Task | None = None

    def start(self) -> None:
        """Start the worker that stores what is pending (inside the running event loop)."""
        self.wakeup = asyncio.Event()
        self.worker = asyncio.get_running_loop().create_task(self._drain())

    async def stop(self) -> None:
        """Stop the worker."""
        if self.worker is not None:
            self.worker.cancel()
            try:
                await self.worker
            except asyncio.CancelledError:
                pass

    async def submit(self, invitation: Invitation, answers: dict | None) -> str:
        """Submit ``invitation`` (with last ``answers``, if any); the time it was stored."""
        future = asyncio.get_running_loop().create_future()
        self.pending.append((invitation, answers, future))
        self.wakeup.set()
        return await asyncio.shield(future)

    async def _drain(self) -> None:
        while True:
            await self.wakeup.wait()
            self.wakeup.clear()
            while self.pending:
                batch, self.pending = self.pending[: self.BATCH], self.pending[self.BATCH:]
                await self._store(batch)

    async def _store(self, batch) -> None:
        entries = [(invitation, answers) for invitation, answers, _ in batch]
        backend = self.backend
        try:
            outcomes = await backend.run(lambda: _collect.submit_many(backend.store, backend.study, entries))
        except Exception as exc:  # the store failed: every waiting request learns it
            outcomes = [exc] * len(batch)
        for (_, _, future), outcome in zip(batch, outcomes):
            if future.done():
                continue
            if isinstance(outcome, BaseException):
                future.set_exception(outcome)
            else:
                future.set_result(outcome)


def read_contact(root: Path):
    """The study's ``contact`` entry (text, per-language texts or a mapping), if any."""
    try:
        data = read_yaml(root / STUDY_FILE).data
    except Exception:  # pragma: no cover - load_study has already read it
        return None
    return data.get("contact") if isinstance(data, dict) else None
