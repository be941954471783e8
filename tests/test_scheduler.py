"""The one scheduler of timed work (dispatch/scheduler.py): jobs on their cadence, woken at once,
a failing job retried, the cadence following the clock's speed."""
import threading

import pytest

from dispatch.core import clock
from dispatch.scheduler import MIN_REAL_S, Job, Scheduler


class Sessions:
    """A stand-in session factory (the jobs here touch no database)."""

    def __call__(self):
        return self

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def counting(name, every_s, *, real_time=False, fail_first=False):
    done = threading.Semaphore(0)
    calls = []

    def run(session, now):
        calls.append(now)
        if fail_first and len(calls) == 1:
            raise RuntimeError("the database is down for a moment")
        done.release()

    return Job(name, every_s, run, real_time=real_time), calls, done


@pytest.fixture
def scheduler():
    made = Scheduler(Sessions())
    yield made
    made.stop()


def test_a_job_runs_on_its_cadence_with_the_time(scheduler):
    job, calls, done = counting("tick", 0.05, real_time=True)
    scheduler.add(job)
    scheduler.start()
    for _ in range(3):
        assert done.acquire(timeout=5)
    assert calls == sorted(calls) and all(c.tzinfo is not None for c in calls)
    assert scheduler.runs["tick"] >= 3


def test_a_woken_job_runs_now_not_at_its_next_turn(scheduler):
    job, calls, done = counting("offers", 3600.0, real_time=True)
    scheduler.add(job)
    scheduler.start()
    assert done.acquire(timeout=5)          # its first turn, at the start
    scheduler.wake("offers")
    assert done.acquire(timeout=5), "a woken job waited for its next turn (an hour)"
    assert len(calls) == 2


def test_a_failing_job_is_logged_and_runs_again(scheduler, caplog):
    job, calls, done = counting("flaky", 0.05, real_time=True, fail_first=True)
    scheduler.add(job)
    scheduler.start()
    assert done.acquire(timeout=5)
    assert len(calls) >= 2 and "scheduled job flaky failed" in caplog.text


def test_the_cadence_follows_the_clock_speed_but_real_time_jobs_do_not(scheduler):
    sweep = Job("alerts", 1.0, lambda s, now: None)
    heartbeat = Job("heartbeat", 10.0, lambda s, now: None, real_time=True)
    try:
        clock.run_at(10)
        assert scheduler.interval_s(sweep) == pytest.approx(0.1)
        assert scheduler.interval_s(heartbeat) == 10.0
        clock.run_at(3600)
        assert scheduler.interval_s(sweep) == MIN_REAL_S        # never busier than this
    finally:
        clock.run_at(1)
    assert scheduler.interval_s(sweep) == 1.0


def test_run_once_runs_the_named_jobs_on_the_calling_thread(scheduler):
    job, calls, _ = counting("alerts", 1.0)
    other, other_calls, _ = counting("offers", 1.0)
    scheduler.add(job)
    scheduler.add(other)
    scheduler.run_once("alerts")
    assert len(calls) == 1 and other_calls == []
    scheduler.run_once()
    assert len(calls) == 2 and len(other_calls) == 1


def test_stop_ends_the_thread_and_runs_its_callbacks(scheduler):
    stopped = []
    scheduler.on_stop.append(lambda: stopped.append(True))
    assert scheduler.start() is True and scheduler.running
    scheduler.stop()
    assert not scheduler.running and stopped == [True]
    assert scheduler.start() is False                      # a stopped scheduler stays stopped
