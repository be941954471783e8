"""The Redis bus between server processes (dispatch/realtime/bus.py), on the real Redis: once a
listener says it is ready, nothing announced by another process is missed."""
import queue
import threading
import uuid

from dispatch.realtime.bus import RedisBus

DEADLINE_S = 10


def listening(url, channel):
    woken, moved, ready, stopped = queue.Queue(), queue.Queue(), threading.Event(), threading.Event()
    thread = RedisBus(url, channel=channel).listen(lambda: woken.put(True), moved.put, stopped=stopped,
                                                   ready=ready)
    return woken, moved, ready, stopped, thread


def test_a_position_announced_the_moment_the_listener_is_ready_arrives(redis_url):
    channel = f"psc119:test:{uuid.uuid4().hex}"
    woken, moved, ready, stopped, thread = listening(redis_url, channel)
    try:
        assert ready.wait(DEADLINE_S), "the listener never confirmed its subscription"
        # Subscribed: what was announced before is read now (one wake at subscription).
        assert woken.get(timeout=DEADLINE_S) is True
        RedisBus(redis_url, channel=channel).publish_position({"unit_id": 7, "lat": -0.03, "lon": 109.34})
        assert moved.get(timeout=DEADLINE_S) == {"unit_id": 7, "lat": -0.03, "lon": 109.34}
        RedisBus(redis_url, channel=channel).publish([{"id": 41}, {"id": 42}])
        assert woken.get(timeout=DEADLINE_S) is True
    finally:
        stopped.set()
        thread.join(DEADLINE_S)
    assert not thread.is_alive()


def test_another_deployments_channel_is_not_heard(redis_url):
    ours, theirs = f"psc119:test:{uuid.uuid4().hex}", f"psc119:test:{uuid.uuid4().hex}"
    woken, moved, ready, stopped, thread = listening(redis_url, ours)
    try:
        assert ready.wait(DEADLINE_S)
        RedisBus(redis_url, channel=theirs).publish_position({"unit_id": 1})
        RedisBus(redis_url, channel=ours).publish_position({"unit_id": 2})
        # In order on one connection: had theirs been heard, it would come first.
        assert moved.get(timeout=DEADLINE_S) == {"unit_id": 2}
    finally:
        stopped.set()
        thread.join(DEADLINE_S)


def test_an_unreachable_redis_is_never_ready_and_publishing_does_not_raise():
    url = "redis://127.0.0.1:1/0"
    woken, moved, ready, stopped, thread = listening(url, "psc119:test:nowhere")
    try:
        assert not ready.wait(1.5)
        RedisBus(url).publish_position({"unit_id": 1})   # logged, not raised
        RedisBus(url).publish([{"id": 1}])
    finally:
        stopped.set()
        thread.join(DEADLINE_S)
    assert not thread.is_alive()
