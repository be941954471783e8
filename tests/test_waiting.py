"""The waiting queue (core/waiting.py, GET /api/queue): the open incidents no unit is on, P1 first
then the longest wait, each with the available unit that would reach it first."""
from datetime import timedelta

from dispatch.core.clock import shifted


def queue(world, who="op", **params):
    answer = world.get(who, "/api/queue" + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else ""))
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()


def test_the_most_urgent_waits_first_each_with_the_unit_that_reaches_it_first(world):
    with shifted(-timedelta(minutes=20)):
        old_green = world.new_incident(priority="P3", lat=-0.0300, lon=109.3300)
    with shifted(-timedelta(minutes=5)):
        red = world.new_incident(priority="P1", lat=-0.0200, lon=109.3400)      # by PSC-01's post
    newer_red = world.new_incident(priority="P1", lat=-0.0160, lon=109.3010)    # by PSC-02's post
    sent = world.new_incident(priority="P1")
    assert world.assign(sent["id"], world.unit_c.id).status_code == 200           # a unit is on it: not waiting
    answer = queue(world)
    assert [i["incident"]["id"] for i in answer["items"]] == [red["id"], newer_red["id"], old_green["id"]]
    assert answer["total"] == 3 and answer["available_units"] == 2
    first, second, third = answer["items"]
    assert first["best"]["unit"]["call_sign"] == "PSC-01" and second["best"]["unit"]["call_sign"] == "PSC-02"
    assert first["best"]["eta_s"] > 0 and first["best"]["distance_m"] > 0
    assert 5 * 60 <= first["waiting_s"] < 6 * 60 and third["waiting_s"] >= 20 * 60
    assert answer["estimated_by"] in ("graph", "river")


def test_a_unit_taken_off_puts_the_incident_back_and_no_unit_free_says_so(world):
    incident = world.new_incident(priority="P2")
    assignment = world.assign(incident["id"], world.unit_a.id).get_json()["assignments"][0]["id"]
    assert queue(world)["items"] == []
    world.post("op", f"/api/incidents/{incident['id']}/assignments/{assignment}/cancel", {"reason": "dialihkan"})
    for unit in (world.unit_a, world.unit_b, world.unit_c):                     # every unit busy elsewhere
        world.status(unit.id, "out_of_service", who="sup")
    answer = queue(world)
    assert [i["incident"]["id"] for i in answer["items"]] == [incident["id"]]
    assert answer["items"][0]["best"] is None and answer["available_units"] == 0


def test_an_incident_without_a_location_waits_without_a_unit_and_the_limit_keeps_the_total(world):
    unknown = world.new_call(lat=None, lon=None, location_text="tidak tahu", priority="P1")["incident"]
    world.new_incident(priority="P2")
    answer = queue(world, limit=1)
    assert answer["total"] == 2 and [i["incident"]["id"] for i in answer["items"]] == [unknown["id"]]
    assert answer["items"][0]["best"] is None


def test_only_dispatchers_read_it(world):
    assert world.get("crew_a", "/api/queue").status_code == 403
    assert world.get("adm", "/api/queue").status_code == 403
    assert world.get("op", "/api/queue?limit=0").status_code == 422
