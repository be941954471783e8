"""Leaving a failed server alone for a while (used by the geocoding server and OSRM)."""
from dispatch.geo.backoff import PauseAfterFailure


class Clock:
    now = 100.0

    def __call__(self):
        return self.now


def test_a_failure_pauses_for_the_given_time_then_the_server_is_tried_again():
    clock = Clock()
    backoff = PauseAfterFailure(30, clock=clock)
    assert not backoff.paused
    backoff.failed()
    clock.now += 29.9
    assert backoff.paused
    clock.now += 0.2
    assert not backoff.paused
