"""Times: UTC inside, Asia/Pontianak (WIB, UTC+7) for people."""
from datetime import datetime, timedelta, timezone

from dispatch.core import clock


def test_utcnow_is_aware_utc():
    now = clock.utcnow()
    assert now.tzinfo is not None and now.utcoffset().total_seconds() == 0


def test_local_time_is_wib_by_default(app):
    moment = datetime(2026, 11, 28, 17, 30, tzinfo=timezone.utc)
    local = clock.to_local(moment)
    assert (local.day, local.hour, local.minute) == (29, 0, 30)
    assert local.utcoffset().total_seconds() == 7 * 3600


def test_shifted_moves_the_systems_now_and_puts_it_back():
    before = clock.utcnow()
    with clock.shifted(-timedelta(hours=25)):
        moved = clock.utcnow()
    after = clock.utcnow()
    assert timedelta(hours=24, minutes=59) < before - moved < timedelta(hours=25, minutes=1)
    assert before <= after < before + timedelta(minutes=1)
