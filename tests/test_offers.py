"""A unit that comes free while incidents wait is offered to the one it should take, or sent by
auto-dispatch (core/offers.py, the scheduler's "offers" job)."""
from datetime import timedelta

from sqlalchemy import func, select

from conftest import NEAR_A, busy, free_again
from dispatch.core import offers
from dispatch.core.clock import shifted
from dispatch.models import Assignment, Event, Unit


def run_offers(world):
    world.app.extensions["psc_scheduler"].run_once("offers")


def offered(world):
    return [e for e in world.events() if e["type"] == "incident.unit_offered"]


def test_a_unit_that_comes_free_is_offered_the_oldest_p1_before_an_older_p3(world):
    busy(world, world.unit_b.id, world.unit_c.id)
    with shifted(timedelta(minutes=-10)):
        p3 = world.new_incident(priority="P3", **NEAR_A)               # waiting ten minutes
    with shifted(timedelta(minutes=-2)):
        first_p1 = world.new_incident(priority="P1", **NEAR_A)
    world.new_incident(priority="P1", **NEAR_A)                        # a newer P1
    free_again(world, world.unit_a.id)
    run_offers(world)
    [event] = offered(world)
    assert event["incident_id"] == first_p1["id"] and event["unit_id"] == world.unit_a.id
    assert event["actor"] is None
    data = event["data"]
    assert data["unit"]["call_sign"] == "PSC-01" and data["eta_s"] > 0 and data["waiting_s"] >= 110
    assert data["incident"]["offer"]["unit_id"] == world.unit_a.id
    queue = {i["incident"]["id"]: i for i in world.get("op", "/api/queue").get_json()["items"]}
    assert queue[first_p1["id"]]["offer"]["unit"]["call_sign"] == "PSC-01"
    assert queue[p3["id"]]["offer"] is None
    # Nothing was sent: a dispatcher decides.
    assert world.get("op", f"/api/incidents/{first_p1['id']}").get_json()["assignments"] == []


def test_each_time_a_unit_comes_free_is_offered_once(world, session):
    busy(world, world.unit_b.id, world.unit_c.id)
    world.new_incident(priority="P1", **NEAR_A)
    free_again(world, world.unit_a.id)
    run_offers(world)
    run_offers(world)
    assert len(offered(world)) == 1
    unit = session.get(Unit, world.unit_a.id)
    session.refresh(unit)
    assert unit.offer_version == unit.version
    # A second time it comes free (another incident waiting now): offered again.
    world.new_incident(priority="P1", **NEAR_A)
    free_again(world, world.unit_a.id)
    run_offers(world)
    assert len(offered(world)) == 2


def test_assigning_the_offered_unit_ends_the_offer(world):
    busy(world, world.unit_b.id, world.unit_c.id)
    incident = world.new_incident(priority="P1", **NEAR_A)
    free_again(world, world.unit_a.id)
    run_offers(world)
    r = world.assign(incident["id"], world.unit_a.id)
    assert r.status_code == 200 and r.get_json()["offer"] is None
    assert world.get("op", "/api/queue").get_json()["items"] == []


def test_an_offer_no_longer_stands_once_its_unit_is_sent_elsewhere(world):
    busy(world, world.unit_b.id, world.unit_c.id)
    incident = world.new_incident(priority="P1", **NEAR_A)
    free_again(world, world.unit_a.id)
    run_offers(world)
    other = world.new_incident(priority="P2", **NEAR_A)
    assert world.assign(other["id"], world.unit_a.id).status_code == 200
    [item] = world.get("op", "/api/queue").get_json()["items"]
    assert item["incident"]["id"] == incident["id"] and item["offer"] is None
    assert item["incident"]["offer"]["unit_id"] == world.unit_a.id        # stored, but it no longer stands
    # ... and when the unit comes free from that job, an old offer does not come back by itself.
    [job] = world.get("op", f"/api/incidents/{other['id']}").get_json()["assignments"]
    assert world.post("op", f"/api/incidents/{other['id']}/assignments/{job['id']}/cancel",
                      {"reason": "salah unit"}).status_code == 200
    [item] = [i for i in world.get("op", "/api/queue").get_json()["items"] if i["incident"]["id"] == incident["id"]]
    assert item["offer"] is None                                            # until the scheduler looks again


def test_a_unit_that_comes_free_while_nothing_waits_simply_shows_as_available(world, session):
    free_again(world, world.unit_a.id)
    run_offers(world)
    assert offered(world) == []
    assert world.get("op", f"/api/units/{world.unit_a.id}").get_json()["status"] == "available"


def test_a_unit_far_slower_than_another_available_one_is_not_offered(world):
    """PSC-02 (west) comes free; PSC-01 stands beside the incident (east): the incident is not PSC-02's."""
    busy(world, world.unit_c.id)
    world.new_incident(priority="P1", **NEAR_A)
    free_again(world, world.unit_b.id)
    run_offers(world)
    assert offered(world) == []


def test_an_incident_whose_location_is_unknown_is_still_offered(world):
    busy(world, world.unit_b.id, world.unit_c.id)
    incident = world.new_incident(priority="P1", lat=None, lon=None, location_text="xyzzy tidak dikenal")
    assert incident["location_known"] is False
    free_again(world, world.unit_a.id)
    run_offers(world)
    [event] = offered(world)
    assert event["incident_id"] == incident["id"] and event["data"]["eta_s"] is None


def test_auto_dispatch_on_for_p1_sends_the_unit_with_the_rule_recorded(world, session):
    assert world.call("sup", "PUT", "/api/settings/dispatch", json={"auto_dispatch": {"P1": True}}).status_code == 200
    busy(world, world.unit_b.id, world.unit_c.id)
    incident = world.new_incident(priority="P1", **NEAR_A)
    free_again(world, world.unit_a.id)
    run_offers(world)
    body = world.get("op", f"/api/incidents/{incident['id']}").get_json()
    [sent] = body["assignments"]
    assert sent["unit_id"] == world.unit_a.id and sent["auto_rule"] == "auto_dispatch:P1"
    assert sent["assigned_by_id"] is None and body["status"] == "dispatched"
    [event] = [e for e in world.events() if e["type"] == "incident.assigned" and e["incident_id"] == incident["id"]]
    assert event["actor"] is None and event["data"]["rule"] == "auto_dispatch:P1"
    assert offered(world) == []


def test_auto_dispatch_on_for_p1_leaves_a_p2_to_the_dispatcher(world, session):
    world.call("sup", "PUT", "/api/settings/dispatch", json={"auto_dispatch": {"P1": True}})
    busy(world, world.unit_b.id, world.unit_c.id)
    incident = world.new_incident(priority="P2", **NEAR_A)
    free_again(world, world.unit_a.id)
    before = session.scalar(select(func.count()).select_from(Assignment))
    session.rollback()
    run_offers(world)
    assert session.scalar(select(func.count()).select_from(Assignment)) == before
    [event] = offered(world)
    assert event["incident_id"] == incident["id"]


def test_with_auto_dispatch_off_nothing_is_assigned(world, session):
    busy(world, world.unit_b.id, world.unit_c.id)
    world.new_incident(priority="P1", **NEAR_A)
    free_again(world, world.unit_a.id)
    before = session.scalar(select(func.count()).select_from(Assignment))
    session.rollback()
    run_offers(world)
    assert session.scalar(select(func.count()).select_from(Assignment)) == before
    assert session.scalar(select(func.count()).select_from(Event).where(Event.type == "incident.unit_offered")) == 1


def test_a_unit_taken_meanwhile_is_not_looked_at(world, session):
    """The compare-and-set: the version read before the unit was sent elsewhere no longer matches."""
    busy(world, world.unit_b.id, world.unit_c.id)
    free_again(world, world.unit_a.id)
    [(unit_id, version)] = offers.freed_units(session)
    session.rollback()
    world.new_incident(priority="P1", **NEAR_A)
    other = world.new_incident(priority="P2", **NEAR_A)
    world.assign(other["id"], world.unit_a.id)
    geo = world.app.extensions["psc_geo"]
    assert offers.look_at(session, unit_id=unit_id, version=version, geo=geo, auto_dispatch={}) is None
    assert offered(world) == []
