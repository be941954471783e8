"""A list of callbacks told of something after it has been committed."""
import logging

log = logging.getLogger(__name__)


class Subscribers:
    def __init__(self, what):
        self.what = what
        self._callbacks = []

    def subscribe(self, callback):
        if callback not in self._callbacks:
            self._callbacks.append(callback)
        return callback

    def unsubscribe(self, callback):
        if callback in self._callbacks:
            self._callbacks.remove(callback)

    def publish(self, payload):
        for callback in list(self._callbacks):
            try:
                callback(payload)
            except Exception:  # a broken subscriber must never undo or block a committed change
                log.exception("%s subscriber failed", self.what)
