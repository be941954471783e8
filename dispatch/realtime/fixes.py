"""Group commit for position fixes that arrive over live connections.

Hundreds of phones each reporting every few seconds would cost one write transaction per
fix, and on SQLite every other writer (a dispatcher assigning a unit) would queue behind
them. Here each command hands its fix to one writer thread and waits; the thread takes
whatever has queued up, stores it in one transaction (``core.units.record_locations``),
and answers every waiting command with its own result after the commit. Under light load
a fix is written at once, alone; under heavy load the batches grow by themselves. The
acknowledgement a phone gets still means "stored", as with the REST endpoint.
"""
import logging
import threading
from dataclasses import dataclass, field

from ..core import units
from ..core.errors import DomainError

log = logging.getLogger(__name__)


class Unavailable(DomainError):
    code = "unavailable"


@dataclass
class _Waiting:
    fix: units.Fix
    done: threading.Event = field(default_factory=threading.Event)
    result: tuple | None = None
    error: Exception | None = None


class FixWriter:
    def __init__(self, session_factory, *, stale_after_s=120.0, max_batch=1000):
        self._session_factory = session_factory
        self.stale_after_s = stale_after_s
        self.max_batch = max_batch
        self._queue = []
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stopped = threading.Event()
        self._thread = None

    def submit(self, fix, *, timeout_s=15.0):
        """Store ``fix`` (already checked with ``units.check_fix``); returns ``(applied,
        position)`` once committed, like ``units.record_locations`` for one fix."""
        waiting = _Waiting(fix)
        with self._lock:
            if self._thread is None and not self._stopped.is_set():
                self._thread = threading.Thread(target=self._run, name="psc119-fixes", daemon=True)
                self._thread.start()
            self._queue.append(waiting)
        self._wake.set()
        if not waiting.done.wait(timeout_s):
            raise Unavailable("the position could not be stored in time; send it again")
        if waiting.error is not None:
            raise waiting.error
        return waiting.result

    def stop(self, timeout=5.0):
        self._stopped.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self):
        while not self._stopped.is_set():
            self._wake.wait()
            self._wake.clear()
            while True:
                with self._lock:
                    batch, self._queue = self._queue[:self.max_batch], self._queue[self.max_batch:]
                if not batch:
                    break
                self._write(batch)

    def _write(self, batch):
        try:
            with self._session_factory() as session:
                results = units.record_locations(session, fixes=[w.fix for w in batch],
                                                 stale_after_s=self.stale_after_s)
            for waiting, result in zip(batch, results):
                waiting.result = result
        except Exception as exc:  # the database is away: every waiting phone is told, none hangs
            log.exception("storing %d position fixes failed", len(batch))
            for waiting in batch:
                waiting.error = Unavailable("the position could not be stored; send it again") \
                    if not isinstance(exc, DomainError) else exc
        finally:
            for waiting in batch:
                waiting.done.set()
