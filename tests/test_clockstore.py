"""A clock run faster (PSC_CLOCK_SPEED) shares one epoch through the database: every process and
command on it tells the same time, a restart goes on from where it was, production refuses it."""
from datetime import timedelta

import pytest
from sqlalchemy import update

from conftest import PASSWORD, fresh, make_config
from dispatch import create_app
from dispatch.core import clock, clockstore
from dispatch.extensions import db
from dispatch.models import ClockEpoch


@pytest.fixture(autouse=True)
def real_time_after():
    yield
    clock.run_at(1)


def back(session, seconds):
    """As if the process that stored the epoch had run ``seconds`` real seconds already."""
    row = fresh(session).get(ClockEpoch, 1)
    session.execute(update(ClockEpoch).values(real_epoch=row.real_epoch - timedelta(seconds=seconds)))
    session.commit()


def fast_app(database_url, speed):
    return create_app(make_config(database_url, CLOCK_SPEED=str(speed)))


def test_two_processes_on_one_database_share_the_epoch_and_health_says_the_speed(database_url, session):
    first = fast_app(database_url, 120)
    stored = fresh(session).get(ClockEpoch, 1)
    assert stored.speed == 120
    second = fast_app(database_url, 120)                     # another process (or a flask command)
    assert fresh(session).get(ClockEpoch, 1).real_epoch == stored.real_epoch
    health = second.test_client().get("/api/health").get_json()
    assert health["clock_speed"] == 120
    assert first.config["CLOCK_SPEED"] == second.config["CLOCK_SPEED"] == 120
    # the epoch moved back 10 real seconds (as if the first process had run that long): 20 minutes on
    back(session, 10)
    before = clock.utcnow()
    fast_app(database_url, 120)
    assert timedelta(minutes=19) < clock.utcnow() - before < timedelta(minutes=21)


def test_started_again_at_another_speed_the_clock_goes_on_from_where_it_was(database_url, session):
    fast_app(database_url, 600)
    back(session, 6)
    fast_app(database_url, 600)
    ahead = clock.utcnow()          # an hour ahead of real time (and a minute per real 0.1 s since)
    assert timedelta(minutes=59) < ahead - clock.real_utcnow() < timedelta(minutes=90)
    fast_app(database_url, 2)
    row = fresh(session).get(ClockEpoch, 1)
    # on from where it was: never back, not back to real time
    assert row.speed == 2 and timedelta(0) <= clock.utcnow() - ahead < timedelta(minutes=30)
    fast_app(database_url, 1)
    assert clock.speed() == 1 and abs(clock.utcnow() - clock.real_utcnow()) < timedelta(seconds=1)


def test_a_token_expires_on_the_fast_clock(database_url, session):
    app = create_app(make_config(database_url, CLOCK_SPEED="3600", TOKEN_TTL_SECONDS=12 * 3600))
    from dispatch.core import auth

    with app.app_context():
        auth.create_user(db.new_session(), actor=None, username="op", role="operator", password=PASSWORD)
    client = app.test_client()
    token = client.post("/api/auth/login", json={"username": "op", "password": PASSWORD}).get_json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/auth/me", headers=headers).status_code == 200
    # 13 real seconds later (the epoch moved back by them): 13 hours on this clock, past the shift
    back(session, 13)
    clockstore.start(fresh(session), 3600)
    assert client.get("/api/auth/me", headers=headers).status_code == 401


@pytest.mark.parametrize("speed", ["0", "-2", "fast", "100000"])
def test_a_speed_that_cannot_be_is_refused_at_start(database_url, speed):
    with pytest.raises(RuntimeError, match="PSC_CLOCK_SPEED"):
        fast_app(database_url, speed)


def test_production_refuses_a_clock_run_faster(database_url):
    config = make_config(database_url, PSC_ENV="production", CLOCK_SPEED="10",
                         SECRET_KEY="k3y-" + "".join(chr(65 + (i * 7) % 26) for i in range(40)))
    with pytest.raises(RuntimeError, match="PSC_CLOCK_SPEED must be 1"):
        create_app(config)
