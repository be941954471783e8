"""Times: UTC inside, Asia/Pontianak (WIB, UTC+7) for people."""
from datetime import datetime, timezone

from dispatch.core import clock


def test_utcnow_is_aware_utc():
    now = clock.utcnow()
    assert now.tzinfo is not None and now.utcoffset().total_seconds() == 0


def test_local_time_is_wib_by_default(app):
    moment = datetime(2026, 11, 28, 17, 30, tzinfo=timezone.utc)
    local = clock.to_local(moment)
    assert (local.day, local.hour, local.minute) == (29, 0, 30)
    assert local.utcoffset().total_seconds() == 7 * 3600
