"""Possible duplicates: the open incidents a call is probably about, found while it is typed and
when it is saved, best first, with why (core/duplicates.py)."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from conftest import fresh
from dispatch.core import duplicates
from dispatch.core.clock import shifted
from dispatch.models import Call, Incident

# Jl. Gajah Mada where the geocoder places the street, and a point 2 km south of it.
CRASH = (-0.03557, 109.34205)
OTHER_CRASH = (-0.05357, 109.34205)
NUMBERS = [f"0812-5730-{n:04d}" for n in range(20)]


def crash_call(world, phone, **fields):
    body = {"caller_phone": phone, "category": "traffic_accident", "priority": "P1", "lat": CRASH[0],
            "lon": CRASH[1], "location_accuracy_m": 20, "location_text": "tabrakan di Jl. Gajah Mada", **fields}
    return world.new_call(**body)


def search(world, who="op", **query):
    return world.get(who, "/api/incidents/possible-duplicates", query_string=query)


# (lat offset, lon offset, accuracy, text, category): how ten callers describe one crash.
CALLERS = [
    (0.0004, 0.0002, 15, "motor tabrakan depan Jl. Gajah Mada", "traffic_accident"),
    (-0.0003, 0.0001, 30, "ada kecelakaan di gajah mada", "trauma"),
    (None, None, None, "Jl. Gajah Mada, orang luka", "traffic_accident"),
    (0.0010, -0.0008, 120, "simpang gajahmada", "other"),
    (0.0, 0.0012, 10, "dekat jalan Gajah Mada", "traffic_accident"),
    (None, None, None, "jln gajah mada tabrakan", "trauma"),
    (-0.0011, 0.0, 60, "kecelakaan motor", "traffic_accident"),
    (0.0002, 0.0002, 5, None, "traffic_accident"),
    (0.0006, -0.0004, 25, "Gajah Mada depan toko", "burn"),
]


def test_ten_callers_about_one_crash_become_one_incident_and_nine_linked_calls(world, session):
    """The proof of issue 13: ten numbers within 15 minutes, one crash; a second crash 2 km away in
    the same minutes is never the first suggestion; each call linked in one action."""
    with shifted(timedelta(minutes=-15)):
        first = crash_call(world, NUMBERS[0])
    assert first["possible_duplicates"] == []
    crash = first["incident"]
    with shifted(timedelta(minutes=-14)):
        other = world.new_call(caller_phone=NUMBERS[19], category="traffic_accident", priority="P1",
                               lat=OTHER_CRASH[0], lon=OTHER_CRASH[1], location_accuracy_m=20,
                               location_text="tabrakan Jl. Imam Bonjol")["incident"]
    for i, (dlat, dlon, accuracy, text, category) in enumerate(CALLERS, start=1):
        where = {"lat": None, "lon": None} if dlat is None else {"lat": CRASH[0] + dlat, "lon": CRASH[1] + dlon, "location_accuracy_m": accuracy}
        with shifted(timedelta(minutes=-14 + i * 1.5)):
            answer = world.new_call(caller_phone=NUMBERS[i], category=category, priority="P2", location_text=text,
                                    **where)
        suggested = answer["possible_duplicates"]
        assert suggested, (i, text)
        assert suggested[0]["incident"]["id"] == crash["id"], (i, text, suggested)
        assert all(s["incident"]["id"] != answer["incident"]["id"] for s in suggested)
        linked = world.post("op", f"/api/calls/{answer['call']['id']}/link", {"incident_id": crash["id"]})
        assert linked.status_code == 200, linked.get_json()
        assert linked.get_json()["merged_incident"]["status"] == "merged"
    detail = world.get("op", f"/api/incidents/{crash['id']}").get_json()
    assert len(detail["calls"]) == 10
    assert sorted(c["caller_phone_display"] for c in detail["calls"]) == sorted(
        world.get("op", f"/api/callers/{n}").get_json()["display"] for n in NUMBERS[:10])
    assert [c["disposition"] for c in detail["calls"]] == ["emergency"] + ["duplicate"] * 9
    assert detail["priority"] == "P1"   # the survivor keeps the higher priority
    assert len([r for r in detail["related"] if r["relation"] == "replacing"]) == 9
    # every call is on its timeline, with the events of the incidents merged into it
    timeline = detail["timeline"]
    assert len([e for e in timeline if e["type"] == "call.received"]) == 10
    assert len([e for e in timeline if e["type"] == "incident.merged"]) == 9
    open_ids = {i["id"] for i in world.get("op", "/api/incidents").get_json()["items"]}
    assert open_ids == {crash["id"], other["id"]}
    fresh(session)
    assert session.scalar(select(Incident).where(Incident.id == other["id"])).status == "pending"
    assert len(session.scalars(select(Call).where(Call.incident_id == crash["id"])).all()) == 10


def test_the_other_crash_is_suggested_for_its_own_caller(world):
    crash = crash_call(world, NUMBERS[0])["incident"]
    other = world.new_call(caller_phone=NUMBERS[1], category="traffic_accident", lat=OTHER_CRASH[0],
                           lon=OTHER_CRASH[1], location_accuracy_m=20)
    assert other["possible_duplicates"] == []   # 2 km away: not the same place
    found = search(world, lat=OTHER_CRASH[0] + 0.0003, lon=OTHER_CRASH[1], accuracy_m=30,
                   category="trauma").get_json()["possible_duplicates"]
    assert [f["incident"]["id"] for f in found] == [other["incident"]["id"]]
    assert "near" in found[0]["why"] and "related_category" in found[0]["why"]
    assert crash["id"] not in [f["incident"]["id"] for f in found]


def test_while_typing_the_words_and_the_number_find_it(world):
    crash = crash_call(world, NUMBERS[0], caller_name="Pak Amir")
    answer = search(world, q="jl gajah mada tabrakan", phone="0812 5730 0000", category="traffic_accident")
    assert answer.status_code == 200, answer.get_json()
    found = answer.get_json()["possible_duplicates"]
    assert found[0]["incident"]["id"] == crash["incident"]["id"]
    assert {"near", "recent", "same_caller", "same_place", "same_category"} <= set(found[0]["why"])
    assert found[0]["distance_m"] is not None and found[0]["minutes_ago"] < 1
    assert [c["caller_name"] for c in found[0]["calls"]] == ["Pak Amir"]
    # words alone, no point: located as the intake would, the same road named
    words = search(world, q="gajah mada").get_json()["possible_duplicates"]
    assert words[0]["incident"]["id"] == crash["incident"]["id"]


def test_an_hour_later_only_the_same_caller_brings_it_back(world):
    with shifted(timedelta(minutes=-90)):
        crash = crash_call(world, NUMBERS[0])["incident"]
    near = search(world, lat=CRASH[0], lon=CRASH[1]).get_json()["possible_duplicates"]
    assert near == []   # no call about it for 90 minutes: not recent enough
    again = search(world, lat=CRASH[0], lon=CRASH[1], phone=NUMBERS[0]).get_json()["possible_duplicates"]
    assert [a["incident"]["id"] for a in again] == [crash["id"]]
    assert "same_caller" in again[0]["why"] and "recent" not in again[0]["why"]
    assert again[0]["minutes_ago"] >= 90


def test_finished_incidents_are_never_suggested(world):
    closed = crash_call(world, NUMBERS[0])["incident"]
    world.post("op", f"/api/incidents/{closed['id']}/cancel", {"reason": "salah sambung"})
    assert search(world, lat=CRASH[0], lon=CRASH[1], phone=NUMBERS[0]).get_json()["possible_duplicates"] == []


def test_a_far_place_with_the_same_road_name_is_not_the_same_place(world):
    crash_call(world, NUMBERS[0])
    far = search(world, lat=CRASH[0] + 0.03, lon=CRASH[1], q="jalan gajah mada").get_json()
    assert far["possible_duplicates"] == []   # 3 km along: the words alone do not make it one place


def test_the_radius_grows_with_the_uncertainty(world):
    crash = crash_call(world, NUMBERS[0], location_accuracy_m=10)["incident"]
    point = {"lat": CRASH[0] + 0.0063, "lon": CRASH[1]}   # about 700 m away
    assert search(world, **point, accuracy_m=10).get_json()["possible_duplicates"] == []
    wide = search(world, **point, accuracy_m=800).get_json()["possible_duplicates"]
    assert wide[0]["incident"]["id"] == crash["id"] and "near" in wide[0]["why"]
    assert duplicates.radius_m(800, 10) == 1110


def test_the_search_refuses_what_it_cannot_read(world):
    for query, field in (({"lat": -0.03}, "lon"), ({"phone": "halo"}, "phone"), ({"category": "x"}, "category"),
                         ({"limit": 0}, "limit")):
        answer = search(world, **query)
        assert answer.status_code == 422, query
        assert field in answer.get_json()["error"]["fields"], answer.get_json()


@pytest.mark.parametrize("who", ["crew_a", "adm"])
def test_only_dispatchers_search(world, who):
    assert search(world, who=who, lat=CRASH[0], lon=CRASH[1]).status_code == 403


def test_switched_off_a_saved_call_comes_back_without_suggestions(world, app):
    crash_call(world, NUMBERS[0])
    app.config["DUPLICATE_SEARCH"] = False
    assert crash_call(world, NUMBERS[1])["possible_duplicates"] == []
    app.config["DUPLICATE_SEARCH"] = True
    assert crash_call(world, NUMBERS[2])["possible_duplicates"] != []
