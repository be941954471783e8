"""Taking calls: every call is stored, emergencies become incidents, nothing is refused
for an unknown location."""
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select

from conftest import fresh
from dispatch.core.clock import to_local
from dispatch.models import Call, Event, Incident


def test_emergency_call_opens_pending_incident(world, session):
    r = world.post("op", "/api/calls", {
        "caller_phone": "0811-573-119", "caller_name": "Bu Siti", "location_text": "depan RS Antonius",
        "lat": -0.0202, "lon": 109.3268, "location_accuracy_m": 15, "complaint": "nyeri dada, sesak",
        "category": "cardiac", "priority": "P1", "notes": "pasien 60 th"})
    assert r.status_code == 201, r.get_json()
    call, inc = r.get_json()["call"], r.get_json()["incident"]
    assert call["disposition"] == "emergency" and call["incident_id"] == inc["id"]
    assert call["taken_by_id"] == world.users["op"].id
    assert inc["status"] == "pending" and inc["priority"] == "P1" and inc["category"] == "cardiac"
    assert inc["category_label"] == {"id": "Jantung", "en": "Cardiac"}
    assert inc["priority_label"]["id"] == "Merah"
    assert (inc["lat"], inc["lon"], inc["location_known"]) == (-0.0202, 109.3268, True)
    assert inc["address_text"] == "depan RS Antonius" and inc["notes"] == "pasien 60 th"
    local_day = to_local(datetime.fromisoformat(inc["created_at"])).strftime("%Y%m%d")
    assert inc["reference"] == f"PSC-{local_day}-0001"
    fresh(session)
    assert session.scalar(select(func.count()).select_from(Incident)) == 1
    types = [e.type for e in session.scalars(select(Event).order_by(Event.id))]
    assert types[-2:] == ["call.received", "incident.created"]


def test_unknown_location_still_becomes_an_incident(world):
    r = world.post("op", "/api/calls", {"caller_phone": "08125551234", "complaint": "anak kejang"})
    assert r.status_code == 201
    inc = r.get_json()["incident"]
    assert inc["location_known"] is False and inc["lat"] is None
    # defaults: category other, priority P2 (kuning) until the operator triages
    assert (inc["category"], inc["priority"]) == ("other", "P2")


def test_operator_sets_location_later(world):
    inc = world.post("op", "/api/calls", {"caller_phone": "08125551234"}).get_json()["incident"]
    r = world.patch("op", f"/api/incidents/{inc['id']}",
                    {"lat": -0.0266, "lon": 109.3476, "address_text": "Kampung Beting", "kecamatan": "Pontianak Timur"})
    assert r.status_code == 200 and r.get_json()["location_known"] is True


def test_non_emergency_calls_log_without_incident(world, session):
    for disposition in ("prank", "silent", "info"):
        r = world.post("op", "/api/calls", {"caller_phone": "0812000111", "disposition": disposition,
                                            "category": "cardiac"})
        assert r.status_code == 201
        assert r.get_json()["incident"] is None and r.get_json()["call"]["incident_id"] is None
    fresh(session)
    assert session.scalar(select(func.count()).select_from(Call)) == 3
    assert session.scalar(select(func.count()).select_from(Incident)) == 0
    listed = world.get("sup", "/api/calls").get_json()["items"]
    assert sorted(c["disposition"] for c in listed) == ["info", "prank", "silent"]


def test_duplicate_call_links_to_existing_incident(world, session):
    inc = world.new_incident()
    r = world.post("op", "/api/calls", {"caller_phone": "0812-999-004", "disposition": "duplicate",
                                        "incident_id": inc["id"]})
    assert r.status_code == 201
    assert r.get_json()["incident"] is None and r.get_json()["call"]["incident_id"] == inc["id"]
    timeline = world.get("op", f"/api/incidents/{inc['id']}").get_json()["timeline"]
    assert [e["type"] for e in timeline].count("call.received") == 2
    r = world.post("op", "/api/calls", {"caller_phone": "0812-999-004", "disposition": "emergency",
                                        "incident_id": inc["id"]})
    assert r.status_code == 422 and "incident_id" in r.get_json()["error"]["fields"]
    r = world.post("op", "/api/calls", {"caller_phone": "0812-999-004", "disposition": "duplicate", "incident_id": 777})
    assert r.status_code == 404 and "incident_id" in r.get_json()["error"]["fields"]


def test_reference_numbers_count_per_local_day(world, session):
    refs = [world.new_incident()["reference"] for _ in range(3)]
    assert [r[-4:] for r in refs] == ["0001", "0002", "0003"]
    assert len({r[:12] for r in refs}) == 1


def test_reference_uses_wib_date_not_utc(world, session):
    """17:30 UTC on 1 March is 00:30 WIB on 2 March."""
    from dispatch.core import incidents

    late = datetime(2026, 3, 1, 17, 30, tzinfo=timezone.utc)
    assert incidents.next_reference(session, late) == "PSC-20260302-0001"
    assert incidents.next_reference(session, late - timedelta(hours=1)) == "PSC-20260301-0001"
    assert incidents.next_reference(session, late) == "PSC-20260302-0002"
    session.rollback()


def test_sql_looking_text_is_stored_as_text(world, session):
    nasty = "'); DROP TABLE incidents; --"
    r = world.post("op", "/api/calls", {"caller_phone": "0812-573-002", "caller_name": nasty, "notes": nasty,
                                        "location_text": "<script>alert(1)</script>"})
    assert r.status_code == 201
    assert r.get_json()["call"]["caller_name"] == nasty
    inc = world.get("op", f"/api/incidents/{r.get_json()['incident']['id']}").get_json()
    assert inc["notes"] == nasty and inc["address_text"] == "<script>alert(1)</script>"


def test_failed_call_leaves_nothing_behind(world, session):
    before = [fresh(session).scalar(select(func.count()).select_from(m)) for m in (Call, Incident, Event)]
    r = world.post("op", "/api/calls", {"caller_phone": "0812-573-002", "lat": 91, "lon": 109})
    assert r.status_code == 422 and "lat" in r.get_json()["error"]["fields"]
    after = [fresh(session).scalar(select(func.count()).select_from(m)) for m in (Call, Incident, Event)]
    assert before == after


def test_lat_without_lon_is_refused(world):
    r = world.post("op", "/api/calls", {"caller_phone": "0812-573-002", "lat": -0.03})
    assert r.status_code == 422 and "lon" in r.get_json()["error"]["fields"]


def count(session, model):
    return fresh(session).scalar(select(func.count()).select_from(model))


CALL = {"caller_phone": "0811573119", "caller_name": "Bu Sari", "location_text": "RS Antonius",
        "category": "cardiac", "priority": "P1"}


def test_a_call_sent_again_after_a_lost_answer_is_stored_once(world, session):
    first = world.post("op", "/api/calls", {**CALL, "client_ref": "konsol-1-0001"})
    assert first.status_code == 201
    body = first.get_json()
    assert body["applied"] is True and body["location"]["source"] == "gazetteer"
    events = count(session, Event)
    again = world.post("op", "/api/calls", {**CALL, "client_ref": "konsol-1-0001"})
    assert again.status_code == 200
    replay = again.get_json()
    assert replay["applied"] is False
    assert replay["call"]["id"] == body["call"]["id"] and replay["incident"]["id"] == body["incident"]["id"]
    assert replay["incident"]["reference"] == body["incident"]["reference"]
    assert replay["location"]["source"] == "gazetteer" and replay["location"]["name"] == body["location"]["name"]
    assert count(session, Call) == 1 and count(session, Incident) == 1 and count(session, Event) == events


def test_a_client_ref_is_one_users_and_one_calls(world, session):
    world.post("op", "/api/calls", {**CALL, "client_ref": "k-7"})
    # the same ref with something else typed is a client bug, said plainly, and stores nothing
    r = world.post("op", "/api/calls", {**CALL, "priority": "P2", "client_ref": "k-7"})
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "client_ref_reused"
    assert "client_ref" in r.get_json()["error"]["fields"]
    # another desk's console may use the same ref for its own call
    other = world.post("sup", "/api/calls", {**CALL, "client_ref": "k-7"})
    assert other.status_code == 201 and other.get_json()["applied"] is True
    # a prank call sent twice is logged once too
    for _ in range(2):
        world.post("op", "/api/calls", {"caller_phone": "0899-573-003", "disposition": "prank", "client_ref": "k-8"})
    assert count(session, Call) == 3 and count(session, Incident) == 2


def test_the_same_call_sent_twice_at_once_is_stored_once(app, world, session):
    import threading

    barrier = threading.Barrier(2)
    answers = []

    def send():
        client = app.test_client()
        barrier.wait()
        answers.append(client.post("/api/calls", json={**CALL, "client_ref": "race-1"}, headers=world.headers("op")))

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(a.status_code for a in answers) == [200, 201]
    assert len({a.get_json()["incident"]["id"] for a in answers}) == 1
    assert count(session, Call) == 1 and count(session, Incident) == 1
