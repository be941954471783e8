"""Time: stored in UTC, shown and numbered in local time (Asia/Pontianak, WIB)."""
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

_local_tz = ZoneInfo("Asia/Pontianak")


def set_local_timezone(name):
    global _local_tz
    _local_tz = ZoneInfo(name)


def utcnow():
    return datetime.now(timezone.utc)


def to_local(moment):
    return moment.astimezone(_local_tz)
