def test_full_incident_lifecycle(world):
    inc = world.new_incident()
    assert inc["status"] == "pending" and inc["reference"].startswith("PSC-")
    r = world.assign(inc["id"], world.unit_a.id)
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["status"] == "dispatched"
    for s in ("en_route", "on_scene"):
        r = world.status(world.unit_a.id, s)
        assert r.status_code == 200, r.get_json()
    r = world.status(world.unit_a.id, "transporting", hospital_id=world.hospital.id)
    assert r.status_code == 200, r.get_json()
    r = world.status(world.unit_a.id, "at_hospital")
    assert r.status_code == 200, r.get_json()
    r = world.status(world.unit_a.id, "available")
    assert r.status_code == 200, r.get_json()
    r = world.post("op", f"/api/incidents/{inc['id']}/close", {"outcome": "handed over"})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["status"] == "closed"
    d = world.get("op", f"/api/incidents/{inc['id']}").get_json()
    print([e["type"] for e in d["timeline"]])
