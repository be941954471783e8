"""Time: stored in UTC, shown and numbered in local time (Asia/Pontianak, WIB).

Every "now" of the system comes from :func:`utcnow`, so a test can move the clock with
:func:`shifted` ("this incident was closed 25 hours ago") instead of waiting, and a simulation
can run it faster (:func:`run_at`, ``PSC_CLOCK_SPEED``): from an epoch (a real moment and the
clock's time then, stored in the database so every process shares it) the clock moves ``speed``
seconds for each real one. Every timestamp, timer and token expiry follows it.
"""
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

_local_tz = ZoneInfo("Asia/Pontianak")
_offset = timedelta(0)
# (real epoch, the clock's time at it, speed), or None: real time.
_scale = None


def set_local_timezone(name):
    global _local_tz
    _local_tz = ZoneInfo(name)


def utcnow():
    now = datetime.now(timezone.utc)
    if _scale is not None:
        real_epoch, epoch, speed = _scale
        now = epoch + (now - real_epoch) * speed
    return now + _offset


def run_at(speed, *, real_epoch=None, epoch=None):
    """Run the clock ``speed`` times faster from ``epoch`` (the clock's time at the real moment
    ``real_epoch``; both now by default); speed 1 without an epoch: real time."""
    global _scale
    if speed == 1 and epoch is None:
        _scale = None
        return
    real_epoch = real_epoch or datetime.now(timezone.utc)
    _scale = (real_epoch, epoch or real_epoch, float(speed))


def speed():
    return 1.0 if _scale is None else _scale[2]


def real_utcnow():
    """The machine's time, whatever the clock's speed: for the epoch only."""
    return datetime.now(timezone.utc)


@contextmanager
def shifted(delta):
    """Run the block with the system's clock moved by ``delta`` (a timedelta; negative: the past)."""
    global _offset
    before = _offset
    _offset = before + delta
    try:
        yield
    finally:
        _offset = before


def to_local(moment):
    return moment.astimezone(_local_tz)
