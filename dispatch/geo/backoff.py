"""Leaving a failing server alone for a while, so that no request waits on it twice."""
import time


class PauseAfterFailure:
    def __init__(self, pause_s=30.0, *, clock=time.monotonic):
        self.pause_s = pause_s
        self._clock = clock
        self._until = 0.0

    @property
    def paused(self):
        return self._clock() < self._until

    def failed(self):
        self._until = self._clock() + self.pause_s
