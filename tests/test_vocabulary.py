"""GET /api/vocabulary: every code the pages show, with its Indonesian and English label, served
once so that no page copies them."""
import pytest

from dispatch import vocabulary as v


def codes(terms):
    return [t["code"] for t in terms]


@pytest.mark.parametrize("who", ["op", "sup", "adm", "crew_a"])
def test_every_logged_in_role_reads_the_vocabulary(world, who):
    resp = world.get(who, "/api/vocabulary")
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert codes(body["categories"]) == list(v.CATEGORIES)
    assert codes(body["priorities"]) == ["P1", "P2", "P3"]
    assert codes(body["dispositions"]) == list(v.DISPOSITIONS)
    assert codes(body["unit_statuses"]) == list(v.UNIT_STATUSES)
    assert codes(body["incident_statuses"]) == list(v.INCIDENT_STATUSES)
    assert codes(body["location_precisions"]) == ["exact", "place", "road", "kelurahan", "kecamatan", "unknown"]
    for terms in body.values():
        for term in terms:
            assert set(term) - {"dispatch_target_s", "timer", "urgent_for_p1"} == {"code", "id", "en"}, term
            assert term["id"].strip() and term["en"].strip(), term
    assert [p["dispatch_target_s"] for p in body["priorities"]] == [60, 180, 600]   # red first, the shortest


def test_the_labels_are_the_ones_the_pages_show(world):
    body = world.get("op", "/api/vocabulary").get_json()
    label = {name: {t["code"]: (t["id"], t["en"]) for t in terms} for name, terms in body.items()}
    assert label["categories"]["cardiac"] == ("Jantung", "Cardiac")
    assert label["priorities"]["P1"] == ("Merah", "Red")
    assert label["unit_statuses"]["out_of_service"] == ("Tidak beroperasi", "Out of service")
    assert label["incident_statuses"]["pending"] == ("Menunggu unit", "Waiting for a unit")
    assert label["dispositions"]["silent"] == ("Tanpa suara", "Silent (no voice)")
    assert label["location_precisions"]["kelurahan"] == ("perkiraan: tengah kelurahan",
                                                         "approximate: centre of the kelurahan")
    assert label["alert_kinds"]["at_hospital_long"] == ("Tertahan di rumah sakit (serah terima)",
                                                        "Held at the hospital (hand-over)")
    assert label["alert_states"]["acknowledged"] == ("Sudah ditanggapi", "Acknowledged")
    timers = {t["code"]: t["timer"] for t in body["alert_kinds"]}
    assert set(timers.values()) == set(world.get("op", "/api/settings/timers").get_json()["timers"])


def test_the_vocabulary_needs_a_login(client):
    resp = client.get("/api/vocabulary")
    assert resp.status_code == 401 and resp.get_json()["error"]["code"] == "unauthorized"
