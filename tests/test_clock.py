"""Times: UTC inside, Asia/Pontianak (WIB, UTC+7) for people."""
from datetime import datetime, timedelta, timezone

import pytest

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


@pytest.fixture
def real_time_after():
    yield
    clock.run_at(1)


def test_a_clock_run_faster_moves_speed_seconds_for_each_real_one(real_time_after):
    real = clock.real_utcnow()
    epoch = datetime(2026, 12, 1, 1, 0, tzinfo=timezone.utc)
    clock.run_at(60, real_epoch=real - timedelta(seconds=30), epoch=epoch)   # 30 real seconds ago
    now = clock.utcnow()
    assert clock.speed() == 60
    assert epoch + timedelta(minutes=30) <= now < epoch + timedelta(minutes=31)   # 30 s x 60
    with clock.shifted(timedelta(hours=1)):                                       # tests still move it
        assert clock.utcnow() - now >= timedelta(hours=1)
    clock.run_at(1)
    assert clock.speed() == 1 and abs(clock.utcnow() - clock.real_utcnow()) < timedelta(seconds=1)
