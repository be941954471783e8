"""The puskesmas loaded from the street index (dispatch/core/facilities.py): rows, events, and the
whole use of one, from loading it to a unit stationed there and a minor case taken to it."""
from sqlalchemy import select

from conftest import fresh
from dispatch.core import facilities
from dispatch.geo.streets import StreetIndex
from dispatch.models import Event, Hospital


def test_the_23_puskesmas_become_estimated_facilities_with_an_event_each(world, session):
    loaded = facilities.load_puskesmas(session)
    assert len(loaded.added) == 23 and loaded.kept == []
    fresh(session)
    rows = session.scalars(select(Hospital).where(Hospital.kind == "puskesmas")).all()
    index = {p["name"]: p for p in StreetIndex.load().data["puskesmas"]}
    assert {r.name for r in rows} == set(index)
    for r in rows:
        assert r.position_estimated and not r.has_emergency and not r.has_icu
        assert (r.lat, r.lon) == (index[r.name]["lat"], index[r.name]["lon"])
        assert r.address.startswith(index[r.name]["address"]) and r.short_name.startswith("Puskesmas ")
    created = session.scalars(select(Event).where(Event.type == "hospital.created")).all()
    assert sorted(e.data["hospital"]["name"] for e in created) == sorted(index)
    assert all(e.data["hospital"]["kind"] == "puskesmas" and e.actor_id is None for e in created)
    # listed for every role with its kind, like the hospitals
    listed = world.get("crew_a", "/api/hospitals").get_json()["items"]
    assert sum(1 for h in listed if h["kind"] == "puskesmas") == 23


def test_a_loaded_puskesmas_is_a_station_and_a_minor_case_destination(world, session):
    facilities.load_puskesmas(session)
    fresh(session)
    siantan = session.scalars(select(Hospital).where(Hospital.name == "UPT Puskesmas Siantan Hilir")).one()
    resp = world.post("adm", "/api/units", {"call_sign": "PSC-09", "capability": "BLS",
                                            "station_facility_id": siantan.id})
    assert resp.status_code == 201, resp.get_json()
    unit = resp.get_json()
    assert unit["station"]["facility_id"] == siantan.id and unit["station"]["name"] == siantan.name
    # a sprained ankle next to it: the puskesmas is the first suggestion, said to be estimated
    near = world.new_incident(lat=siantan.lat + 0.001, lon=siantan.lon, category="other", priority="P3",
                              location_text="dekat Puskesmas Siantan Hilir")
    body = world.get("op", f"/api/incidents/{near['id']}/hospitals").get_json()
    first = body["items"][0]
    assert first["hospital"]["id"] == siantan.id and first["hospital"]["position_estimated"] is True
    assert {"puskesmas", "position_estimated"} <= {r["code"] for r in first["reasons"]}
    # and the unit stationed there is recommended first for it
    recs = world.get("op", f"/api/incidents/{near['id']}/recommendations").get_json()["items"]
    assert recs[0]["unit"]["call_sign"] == "PSC-09"
