"""The centre's settings: the timers and auto-dispatch (core/settings.py, /api/settings/*)."""
import pytest
from sqlalchemy import func, select

from dispatch.models import Event, Setting
from dispatch.vocabulary import TIMER_DEFAULTS


def put(world, who, path, body):
    return world.call(who, "PUT", f"/api/settings/{path}", json=body)


def test_the_timers_start_at_their_defaults(world):
    body = world.get("op", "/api/settings/timers").get_json()
    assert body["timers"] == body["defaults"] == TIMER_DEFAULTS
    assert body["timers"]["waiting_s"] == {"P1": 60, "P2": 180, "P3": 600}
    assert (body["version"], body["updated_at"], body["updated_by_id"]) == (0, None, None)


def test_a_supervisor_changes_one_timer_and_the_others_stay(world):
    r = put(world, "sup", "timers", {"waiting_s": {"P1": 90}, "at_hospital_s": 900})
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["timers"]["waiting_s"] == {"P1": 90, "P2": 180, "P3": 600}
    assert body["timers"]["at_hospital_s"] == 900 and body["timers"]["on_scene_s"] == 1800
    assert body["defaults"] == TIMER_DEFAULTS and body["version"] == 1
    assert body["updated_by_id"] == world.users["sup"].id
    assert world.get("adm", "/api/settings/timers").get_json()["timers"] == body["timers"]
    [event] = [e for e in world.events() if e["type"] == "settings.changed"]
    assert event["actor"]["username"] == "sup" and event["data"]["key"] == "timers"
    assert event["data"]["changes"] == {"waiting_s.P1": {"from": 60, "to": 90},
                                        "at_hospital_s": {"from": 1200, "to": 900}}
    assert event["data"]["version"] == 1


def test_the_same_values_again_change_nothing(world, session):
    put(world, "sup", "timers", {"turnout_s": 180})
    before = session.scalar(select(func.count()).select_from(Event))
    r = put(world, "sup", "timers", {"turnout_s": 180})
    assert r.status_code == 200 and r.get_json()["version"] == 1
    assert session.scalar(select(func.count()).select_from(Event)) == before


def test_a_stale_version_is_refused(world):
    put(world, "sup", "timers", {"turnout_s": 180})
    r = put(world, "sup", "timers", {"turnout_s": 240, "version": 0})
    assert r.status_code == 409 and "version" in r.get_json()["error"]["fields"]
    assert r.get_json()["error"]["code"] == "settings_changed"
    assert world.get("op", "/api/settings/timers").get_json()["timers"]["turnout_s"] == 180
    assert put(world, "sup", "timers", {"turnout_s": 240, "version": 1}).status_code == 200


@pytest.mark.parametrize("body, field", [
    ({"acceptance_s": 0}, "acceptance_s"),
    ({"acceptance_s": 7 * 86400}, "acceptance_s"),
    ({"acceptance_s": 9}, "acceptance_s"),
    ({"acceptance_s": "60"}, "acceptance_s"),
    ({"acceptance_s": 60.5}, "acceptance_s"),
    ({"acceptance_s": None}, "acceptance_s"),
    ({"waiting_s": {"P4": 60}}, "waiting_s.P4"),
    ({"waiting_s": {"P1": -1}}, "waiting_s.P1"),
    ({"waiting_s": 60}, "waiting_s"),
    ({"siesta_s": 60}, "siesta_s"),
    ({"version": -1}, "version"),
])
def test_timers_out_of_range_are_refused_and_change_nothing(world, session, body, field):
    before = session.scalar(select(func.count()).select_from(Event))
    r = put(world, "sup", "timers", body)
    assert r.status_code == 422, r.get_json()
    assert field in r.get_json()["error"]["fields"]
    assert session.scalar(select(func.count()).select_from(Setting)) == 0
    assert session.scalar(select(func.count()).select_from(Event)) == before
    assert world.get("op", "/api/settings/timers").get_json()["timers"] == TIMER_DEFAULTS


def test_auto_dispatch_is_off_until_a_supervisor_switches_it_on(world):
    body = world.get("op", "/api/settings/dispatch").get_json()
    assert body["auto_dispatch"] == {"P1": False, "P2": False, "P3": False} and body["version"] == 0
    r = put(world, "op", "dispatch", {"auto_dispatch": {"P1": True}})
    assert r.status_code == 403
    assert world.get("op", "/api/settings/dispatch").get_json()["auto_dispatch"]["P1"] is False
    r = put(world, "sup", "dispatch", {"auto_dispatch": {"P1": True}})
    assert r.status_code == 200 and r.get_json()["auto_dispatch"] == {"P1": True, "P2": False, "P3": False}
    [event] = [e for e in world.events() if e["type"] == "settings.changed"]
    assert event["data"]["changes"] == {"auto_dispatch.P1": {"from": False, "to": True}}


@pytest.mark.parametrize("body, field", [
    ({"auto_dispatch": {"P1": "yes"}}, "auto_dispatch.P1"),
    ({"auto_dispatch": {"P1": 1}}, "auto_dispatch.P1"),
    ({"auto_dispatch": {"P9": True}}, "auto_dispatch.P9"),
    ({"auto_dispatch": True}, "auto_dispatch"),
])
def test_bad_auto_dispatch_switches_are_refused(world, body, field):
    r = put(world, "sup", "dispatch", body)
    assert r.status_code == 422 and field in r.get_json()["error"]["fields"]
    assert world.get("op", "/api/settings/dispatch").get_json()["auto_dispatch"]["P1"] is False


def test_the_acceptance_timers_default_comes_from_the_configuration(database_url):
    from conftest import make_config

    from dispatch import create_app

    app = create_app(make_config(database_url, ASSIGNMENT_ACK_TIMEOUT_S=45))
    try:
        assert app.config["TIMER_DEFAULTS"]["acceptance_s"] == 45
    finally:
        app.extensions["psc_hub"].stop()


@pytest.mark.parametrize("path", ["timers", "dispatch"])
@pytest.mark.parametrize("body", [{}, {"version": 0}])
def test_a_change_of_nothing_is_refused(world, path, body):
    r = put(world, "sup", path, body)
    assert r.status_code == 422 and "nothing to change" in r.get_json()["error"]["message"] + str(
        r.get_json()["error"]["fields"])
