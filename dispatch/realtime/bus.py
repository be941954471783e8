"""Telling every server process that the event log has grown: one Redis channel.

Each process that commits events (a server, or a ``flask --app wsgi`` command) publishes the
newest id after commit; each server process listens and wakes its hub, which reads the
new events from the database itself. The message carries no event, only the news, so a
lost message costs at most the hub's safety poll, never an event.
"""
import json
import logging
import os
import threading
import time

import redis

log = logging.getLogger(__name__)

# One channel per deployment (PSC_EVENT_CHANNEL separates deployments sharing one Redis).
CHANNEL = os.environ.get("PSC_EVENT_CHANNEL") or "psc119:events"


class RedisBus:
    def __init__(self, url, *, channel=CHANNEL):
        self.url = url
        self.channel = channel
        self._redis = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)

    def publish_position(self, position):
        """A unit moved (not an event): every process's hub passes it on to its consoles."""
        try:
            self._redis.publish(self.channel + ":positions", json.dumps(position))
        except (redis.RedisError, OSError) as exc:
            log.warning("could not announce a position on Redis (%s); it is dropped", exc)

    def publish(self, events):
        """After commit: say how far the log now goes (errors are logged, never raised)."""
        try:
            self._redis.publish(self.channel, str(max(e["id"] for e in events)))
        except (redis.RedisError, OSError) as exc:
            log.warning("could not announce new events on Redis (%s); other processes poll", exc)

    def listen(self, wake, moved, *, stopped=None, ready=None):
        """Call ``wake()`` for every announced commit and ``moved(position)`` for every position,
        from a daemon thread, reconnecting as needed, until ``stopped`` is set. ``ready`` is set
        once the first subscription holds (a position published before it would be missed)."""
        stopped = stopped or threading.Event()
        ready = ready or threading.Event()
        thread = threading.Thread(target=self._listen, args=(wake, moved, stopped, ready),
                                  name="psc119-event-bus", daemon=True)
        thread.start()
        return thread

    def _listen(self, wake, moved, stopped, ready):
        positions_channel = (self.channel + ":positions").encode()
        while not stopped.is_set():
            try:
                pubsub = redis.Redis.from_url(self.url, socket_connect_timeout=2).pubsub()
                pubsub.subscribe(self.channel, positions_channel.decode())
                confirmed = 0
                while not stopped.is_set():
                    message = pubsub.get_message(timeout=1.0)
                    if message is None:
                        continue
                    if message.get("type") == "subscribe":
                        # Subscribed once Redis confirms both channels (subscribe() only sends
                        # the command): whatever was announced before is read now.
                        confirmed += 1
                        if confirmed == 2:
                            ready.set()
                            wake()
                        continue
                    if message.get("type") != "message":
                        continue
                    if message.get("channel") == positions_channel:
                        try:
                            moved(json.loads(message["data"]))
                        except (ValueError, KeyError, TypeError):
                            log.warning("unreadable position on the event bus; dropped")
                    else:
                        wake()
                pubsub.close()
            except (redis.RedisError, OSError) as exc:
                log.warning("event bus on Redis lost (%s); reconnecting", exc)
                time.sleep(1)
