"""Time: stored in UTC, shown and numbered in local time (Asia/Pontianak, WIB).

Every "now" of the system comes from :func:`utcnow`, so a test can move the clock with
:func:`shifted` ("this incident was closed 25 hours ago") instead of waiting.
"""
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

_local_tz = ZoneInfo("Asia/Pontianak")
_offset = timedelta(0)


def set_local_timezone(name):
    global _local_tz
    _local_tz = ZoneInfo(name)


def utcnow():
    return datetime.now(timezone.utc) + _offset


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
