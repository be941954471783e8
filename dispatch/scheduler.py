"""The one scheduler for timed work: a thread that runs a list of jobs, each on its own cadence.

A job is a function ``run(session, now)`` (core/scheduled.py holds the system's: find what is
overdue, flag it with a compare-and-set), so it fires once however many server processes run it
and after a restart: nothing it knows lives only in memory. A job's cadence is counted on the
system's clock (``every_s`` clock seconds: a clock run 60 times faster sweeps 60 times as often,
never more often than every ``MIN_REAL_S``), unless it keeps time with the machine
(``real_time``: a heartbeat says this process is alive, which is real time at any speed).

Any thread can :meth:`Scheduler.wake` a job to run now (a unit came free: its offer cannot wait
for the next tick). A job that fails is logged and tried again on its next turn (the database
may be down for a moment).
"""
import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Callable

from .core import clock

log = logging.getLogger(__name__)

# However fast the clock runs, no job runs more often than this (real seconds).
MIN_REAL_S = 0.05


@dataclass
class Job:
    name: str
    every_s: float
    run: Callable            # run(session, now)
    real_time: bool = False
    due: float = field(default=0.0, compare=False)   # time.monotonic() of its next turn


class Scheduler:
    def __init__(self, session_factory, jobs=()):
        self._session_factory = session_factory
        self._jobs = {}
        self._lock = threading.Lock()
        self._woken = set()
        self._wake = threading.Event()
        self._stopped = threading.Event()
        self._thread = None
        self.runs = {}            # job name -> passes made (what /api/health and tests read)
        self.on_stop = []         # callables run when it stops (listeners to remove)
        for job in jobs:
            self.add(job)

    def add(self, job):
        with self._lock:
            self._jobs[job.name] = job
        self._wake.set()

    def interval_s(self, job):
        """A job's cadence in real seconds."""
        return job.every_s if job.real_time else max(MIN_REAL_S, job.every_s / clock.speed())

    # -- running ---------------------------------------------------------------------------------
    def start(self):
        with self._lock:
            if self._thread is not None or self._stopped.is_set():
                return False
            self._thread = threading.Thread(target=self._loop, name="psc119-scheduler", daemon=True)
            self._thread.start()
            return True

    @property
    def running(self):
        return self._thread is not None and not self._stopped.is_set()

    def stop(self, timeout=5.0):
        self._stopped.set()
        self._wake.set()
        for callback in self.on_stop:
            callback()
        if self._thread is not None:
            self._thread.join(timeout)

    def wake(self, *names):
        """Run these jobs now (on the scheduler's thread), not at their next turn."""
        with self._lock:
            self._woken.update(names)
        self._wake.set()

    def run_once(self, *names):
        """Run jobs now on the calling thread (every one when none is named): for commands and tests."""
        for job in [self._jobs[n] for n in names] if names else list(self._jobs.values()):
            self._run(job)

    def _run(self, job):
        try:
            with self._session_factory() as session:
                job.run(session, clock.utcnow())
            self.runs[job.name] = self.runs.get(job.name, 0) + 1
        except Exception:
            log.exception("scheduled job %s failed; it runs again on its next turn", job.name)

    def _loop(self):
        while not self._stopped.is_set():
            now = time.monotonic()
            with self._lock:
                woken, self._woken = self._woken, set()
                jobs = list(self._jobs.values())
            for job in jobs:
                if job.name in woken or now >= job.due:
                    job.due = now + self.interval_s(job)
                    self._run(job)
                    if self._stopped.is_set():
                        return
            with self._lock:
                pending = bool(self._woken)
            if pending:
                continue
            wait = min((job.due for job in jobs), default=now + 1.0) - time.monotonic()
            self._wake.wait(max(0.0, wait))
            self._wake.clear()
