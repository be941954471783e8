"""Hospitals: the list for crews and consoles, and bed reports."""
from conftest import fresh
from dispatch.models import Hospital


def test_everyone_logged_in_can_list_hospitals(world):
    for who in ("op", "sup", "adm", "crew_a"):
        items = world.get(who, "/api/hospitals").get_json()["items"]
        assert items[0]["name"] == "RSUD dr. Soedarso"
        assert items[0]["capabilities"] == {"emergency": True, "icu": True, "maternity": True, "trauma": True}


def test_supervisor_reports_beds_and_status(world, session):
    r = world.patch("sup", f"/api/hospitals/{world.hospital.id}", {"beds_available": 4, "status": "diverting"})
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["beds_available"] == 4 and body["status"] == "diverting" and body["beds_reported_at"]
    ev = world.events()[-1]
    assert ev["type"] == "hospital.updated"
    assert ev["data"]["changes"]["status"] == {"from": "open", "to": "diverting"}
    assert fresh(session).get(Hospital, world.hospital.id).beds_available == 4


def test_bad_hospital_reports(world):
    url = f"/api/hospitals/{world.hospital.id}"
    assert world.patch("sup", url, {"beds_available": -1}).status_code == 422
    assert world.patch("sup", url, {"status": "full"}).status_code == 422
    assert world.patch("sup", url, {}).status_code == 422
    assert world.patch("sup", "/api/hospitals/4242", {"beds_available": 1}).status_code == 404
    assert world.patch("op", url, {"beds_available": 1}).status_code == 403
