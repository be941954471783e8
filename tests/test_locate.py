"""Geocoding in the call flow: POST /api/calls locates the incident from what the operator
typed, stores how (source, confidence, place) and its zones; PATCH corrects it.

A call is never refused for its location: text that matches nothing, or coordinates
that cannot be used, give an incident with location ``unknown`` and a message.
"""
import pytest
from geopy.distance import geodesic
from openlocationcode import openlocationcode as olc
from sqlalchemy import select

from conftest import fresh
from dispatch.models import Call, Incident


def take(world, **fields):
    body = {"caller_phone": "0811573119", "category": "cardiac", "priority": "P1", **fields}
    resp = world.post("op", "/api/calls", body)
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()


def stored(session, incident_id):
    return fresh(session).get(Incident, incident_id)


ANTONIUS = (-0.0202106, 109.3267782)


@pytest.mark.parametrize("text, name, kind, kelurahan, kecamatan", [
    ("depan RS Antonius", "RSU Santo Antonius", "hospital", "Mariana", "Pontianak Kota"),
    ("Gg. Mawar, Sei Jawi Luar", "Sungaijawi Luar", "kelurahan", "Sungaijawi Luar", "Pontianak Barat"),
    ("dekat jembatan Landak", "Jembatan Landak", "bridge", None, "Pontianak Utara"),
    ("RSUD Soedarso", "RSUD dr. Soedarso", "hospital", None, "Pontianak Tenggara"),
    ("Tugu Khatulistiwa", "Tugu Khatulistiwa", "landmark", None, "Pontianak Utara"),
    ("Gg. Suez, Jl. Gajah Mada", "Gg. Suez", "gang", None, "Pontianak Selatan"),
    ("depan SDN 3 Pontianak Kota", "SD Negeri 3 Pontianak Kota", "school", None, "Pontianak Kota"),
    ("Puskesmas Siantan Hulu", "UPT Puskesmas Siantan Hulu", "puskesmas", "Siantan Hulu", "Pontianak Utara"),
])
def test_call_text_is_geocoded_and_stored_on_the_incident(world, session, text, name, kind, kelurahan, kecamatan):
    body = take(world, location_text=text)
    inc = body["incident"]
    assert inc["location_known"] is True
    assert inc["location_source"] == "gazetteer"
    assert inc["location_name"] == name and inc["location_kind"] == kind
    assert inc["kecamatan"] == kecamatan
    if kelurahan:
        assert inc["kelurahan"] == kelurahan
    assert 0.5 <= inc["location_confidence"] <= 1
    assert inc["outside_service_area"] is False
    assert body["location"]["source"] == "gazetteer" and body["location"]["name"] == name
    row = stored(session, inc["id"])
    assert (row.lat, row.lon, row.location_source, row.location_name, row.kecamatan) == (
        inc["lat"], inc["lon"], "gazetteer", name, kecamatan)
    assert row.location_text == text  # what the operator typed is kept as typed


def test_hospital_in_text_lands_on_the_hospital(world):
    inc = take(world, location_text="depan RS Antonius")["incident"]
    assert geodesic((inc["lat"], inc["lon"]), ANTONIUS).meters < 200


@pytest.mark.parametrize("text, fmt", [
    ("-0.0202106, 109.3267782", "decimal"),
    ("https://www.google.com/maps/place/RS+Antonius/@-0.0202106,109.3267782,17z", "google_maps"),
    ("https://www.openstreetmap.org/?mlat=-0.0202106&mlon=109.3267782#map=17/-0.02/109.32", "openstreetmap"),
    ("0°1'12.758\"S 109°19'36.4\"E", "dms"),
    ("-0,0202106, 109,3267782", "decimal"),
    ("0,0202106 Lintang Selatan 109,3267782 Bujur Timur", "dms"),
    (olc.encode(*ANTONIUS, 11), "plus_code"),
    (olc.shorten(olc.encode(*ANTONIUS), -0.0263, 109.3425) + " Pontianak", "plus_code"),
])
def test_coordinates_typed_or_pasted_become_the_location(world, text, fmt):
    body = take(world, location_text=text)
    inc = body["incident"]
    assert inc["location_source"] == "text_coordinates"
    assert inc["location_confidence"] == 1.0 and inc["location_kind"] == "coordinates"
    assert geodesic((inc["lat"], inc["lon"]), ANTONIUS).meters < 30
    assert inc["kelurahan"] and inc["kecamatan"] == "Pontianak Kota"
    assert body["location"]["candidates"][0]["match"] == fmt


@pytest.mark.parametrize("text", [
    "Gg. Mawar 5 / 12",                      # an address with numbers is not a coordinate
    "rumah kuning pagar hijau",              # matches nothing
    "-0.02 S, 109.33 E",                     # a sign and a hemisphere letter together
    "91.5, 109.33",                          # latitude out of range
    "nan, inf",
    "https://maps.app.goo.gl/AbCdEf123",     # a short link cannot be opened offline
    "X89R+M",                                # not a valid plus code
    "-0,0202,109,3268",                      # which comma splits the numbers is not written
    "\x01\x02\x03 ÿþ",
    "x" * 500,
])
def test_unusable_location_text_still_makes_an_incident_with_location_unknown(world, session, text):
    body = take(world, location_text=text)
    inc = body["incident"]
    assert inc["location_known"] is False and inc["lat"] is None and inc["lon"] is None
    assert inc["location_source"] == "unknown" and inc["location_confidence"] is None
    assert inc["kelurahan"] is None and inc["kecamatan"] is None
    assert body["location"]["source"] == "unknown"
    assert body["location"]["message"]["id"] and body["location"]["message"]["en"]
    assert stored(session, inc["id"]).location_text == text
    assert fresh(session).scalar(select(Call.location_text).where(Call.id == body["call"]["id"])) == text


def test_sign_and_hemisphere_letter_are_explained_to_the_operator(world):
    body = take(world, location_text="-0.02 S, 109.33 E")
    assert "hemisphere" in body["location"]["message"]["en"].lower()


def test_given_coordinates_win_over_the_text_and_get_zones(world):
    inc = take(world, location_text="RS Antonius", lat=-0.0557, lon=109.3285)["incident"]
    assert (inc["lat"], inc["lon"]) == (-0.0557, 109.3285)
    assert inc["location_source"] == "given" and inc["location_name"] is None
    assert inc["kecamatan"] == "Pontianak Selatan"


def test_incident_outside_the_city_is_served_and_flagged_with_the_nearest_kecamatan(world):
    # Bandara Supadio, in Kabupaten Kubu Raya south-east of the city.
    body = take(world, location_text="-0.15056, 109.40389")
    inc = body["incident"]
    assert inc["location_known"] is True and inc["status"] == "pending"
    assert inc["outside_service_area"] is True
    assert inc["kecamatan"] == "Pontianak Tenggara" and inc["kelurahan"] is None
    assert "outside the service area" in body["location"]["message"]["en"].lower()
    recs = world.get("op", f"/api/incidents/{inc['id']}/recommendations").get_json()
    assert recs["items"], "an incident outside the city is still served"


def test_ambiguous_text_is_not_presented_as_certain(world):
    """Two equally good places far apart: the operator picks, the pin is not guessed."""
    body = take(world, location_text="antara RS Antonius atau RSUD Soedarso")
    inc = body["incident"]
    assert inc["location_known"] is False and inc["location_source"] == "unknown"
    names = {c["name"] for c in body["location"]["candidates"]}
    assert {"RSU Santo Antonius", "RSUD dr. Soedarso"} <= names
    assert "ambig" in body["location"]["message"]["en"].lower()


def test_non_emergency_call_is_not_geocoded(world):
    body = take(world, location_text="RS Antonius", disposition="prank")
    assert body["incident"] is None and body["location"] is None


# --- Corrections -------------------------------------------------------------------------------

def test_operator_sets_an_unknown_location_later(world, session):
    inc = take(world, location_text="rumah kuning pagar hijau")["incident"]
    resp = world.patch("op", f"/api/incidents/{inc['id']}", {"lat": -0.0366, "lon": 109.3135})
    assert resp.status_code == 200, resp.get_json()
    out = resp.get_json()
    assert out["location_known"] and out["location_source"] == "operator"
    assert out["kecamatan"] == "Pontianak Kota" and out["kelurahan"]
    row = stored(session, inc["id"])
    assert row.location_source == "operator" and row.location_confidence == 1.0
    changes = world.events()[-1]["data"]["changes"]
    assert changes["location_source"] == {"from": "unknown", "to": "operator"}


def test_new_address_text_moves_the_pin_when_the_place_is_found(world):
    inc = take(world, location_text="rumah kuning")["incident"]
    out = world.patch("op", f"/api/incidents/{inc['id']}", {"address_text": "depan Masjid Raya Mujahidin"}).get_json()
    assert out["location_source"] == "gazetteer" and out["location_name"] == "Masjid Raya Mujahidin"
    assert out["kecamatan"] == "Pontianak Selatan"


def test_new_address_text_that_matches_nothing_leaves_the_pin(world):
    inc = take(world, location_text="RS Antonius")["incident"]
    out = world.patch("op", f"/api/incidents/{inc['id']}", {"address_text": "rumah kuning pagar hijau"}).get_json()
    assert (out["lat"], out["lon"]) == (inc["lat"], inc["lon"])
    assert out["location_name"] == "RSU Santo Antonius"
    assert out["address_text"] == "rumah kuning pagar hijau"


def test_explicit_kelurahan_in_a_correction_wins_over_the_zones(world):
    inc = take(world, location_text="RS Antonius")["incident"]
    out = world.patch("op", f"/api/incidents/{inc['id']}",
                      {"lat": -0.0366, "lon": 109.3135, "kelurahan": "Sungaibangkong"}).get_json()
    assert out["kelurahan"] == "Sungaibangkong" and out["kecamatan"] == "Pontianak Kota"


def test_clearing_the_location_makes_it_unknown(world):
    inc = take(world, location_text="RS Antonius")["incident"]
    out = world.patch("op", f"/api/incidents/{inc['id']}", {"lat": None, "lon": None}).get_json()
    assert out["location_known"] is False and out["location_source"] == "unknown"
    assert out["kelurahan"] is None and out["location_name"] is None


def test_the_pin_says_how_precise_it_is(world):
    """A hospital is pinned to about 50 m; a kelurahan only to its centre, about a kilometre."""
    hospital = take(world, location_text="RS Antonius")["incident"]
    kelurahan = take(world, location_text="Gg. Mawar, Sei Jawi Luar")["incident"]
    typed = take(world, location_text="-0.0202, 109.3268")["incident"]
    given = take(world, lat=-0.0202, lon=109.3268, location_accuracy_m=12.0)["incident"]
    assert hospital["location_accuracy_m"] <= 200
    assert kelurahan["location_accuracy_m"] >= 500
    assert typed["location_accuracy_m"] is None
    assert given["location_accuracy_m"] == 12.0
    plus_code = take(world, location_text="X89R+M5 Pontianak")["incident"]     # a 10-character code: its 14 m cell
    assert plus_code["location_source"] == "text_coordinates" and plus_code["location_accuracy_m"] == 14
    moved = world.patch("op", f"/api/incidents/{typed['id']}", {"address_text": "Kelurahan Tengah"}).get_json()
    assert moved["location_name"] == "Tengah" and moved["location_accuracy_m"] >= 300


@pytest.mark.parametrize("text", [
    "Jl. Parit Pangeran",        # a street the gazetteer does not know: not the nearest spelling
    "Jl. Nilam",                 # "jalan" in front must not buy a short name a second typo
    "Jl. Sutoyo",
    "Kapuas 2",                  # numbers are never a typo
])
def test_unknown_streets_are_not_matched_to_look_alikes(world, text):
    body = take(world, location_text=text)
    assert body["incident"]["location_source"] == "unknown"


@pytest.mark.parametrize("text, offered, why", [
    ("Jembatan Kapuas II", "Jembatan Kapuas I", "2 does not match"),        # Kapuas II is outside the city
    ("Masjid Raya Mujahidin, Siantan Hulu", "Masjid Raya Mujahidin", "km from kelurahan Siantan Hulu"),
    ("RS Antonius, Kec. Pontianak Timur", "RSU Santo Antonius", "km from kecamatan Pontianak Timur"),
    ("Jl. Ahmad Yani, Siantan Hulu", "Jl. Ahmad Yani", "does not pass through kelurahan Siantan Hulu"),
])
def test_text_that_contradicts_the_place_is_offered_not_used(world, text, offered, why):
    body = take(world, location_text=text)
    assert body["incident"]["location_source"] == "unknown"
    candidate = next(c for c in body["location"]["candidates"] if c["name"] == offered)
    assert any(why in note for note in candidate["notes"])
    assert offered in body["location"]["message"]["en"]


def test_two_equally_specific_places_are_ambiguous_whatever_their_kinds(world):
    body = take(world, location_text="RS Antonius atau Tugu Digulis")
    assert body["incident"]["location_source"] == "unknown"
    assert "ambiguous" in body["location"]["message"]["en"].lower()


def test_a_road_with_its_kelurahan_is_pinned_on_that_stretch(world):
    whole = take(world, location_text="Jl. Ahmad Yani")["incident"]
    stretch = take(world, location_text="jln a yani kel akcaya")["incident"]
    assert stretch["location_source"] == "gazetteer" and stretch["location_name"] == "Jl. Ahmad Yani"
    assert stretch["kelurahan"] == "Akcaya" and stretch["location_precision"] == "road"
    assert stretch["location_accuracy_m"] < whole["location_accuracy_m"]


def test_a_kelurahan_just_across_a_coarse_zone_border_is_no_contradiction(world):
    """Masjid Jami is in Dalam Bugis; the shipped coarse zones put that point a little outside it."""
    inc = take(world, location_text="Masjid Jami, Dalam Bugis")["incident"]
    assert inc["location_source"] == "gazetteer" and inc["location_name"].startswith("Masjid Jami")


def test_new_text_does_not_move_a_pin_that_came_from_coordinates(world):
    """The caller's GPS (or an operator's pin) is better than any name in the text."""
    gps = take(world, location_text="Gg. Mawar, Sei Jawi Luar", lat=-0.0155, lon=109.3162,
               location_accuracy_m=15.0)["incident"]
    out = world.patch("op", f"/api/incidents/{gps['id']}", {"address_text": "Gg. Mawar 12, Sei Jawi Luar"}).get_json()
    assert (out["lat"], out["lon"], out["location_source"]) == (-0.0155, 109.3162, "given")
    assert out["location_accuracy_m"] == 15.0 and out["address_text"] == "Gg. Mawar 12, Sei Jawi Luar"
    pinned = world.patch("op", f"/api/incidents/{gps['id']}", {"lat": -0.0160, "lon": 109.3170}).get_json()
    assert pinned["location_source"] == "operator"
    out = world.patch("op", f"/api/incidents/{gps['id']}", {"address_text": "depan RS Antonius"}).get_json()
    assert (out["lat"], out["lon"], out["location_source"]) == (-0.0160, 109.3170, "operator")


def test_resending_the_same_location_changes_nothing(world):
    inc = take(world, location_text="depan RS Antonius")["incident"]
    before = len(world.events())
    out = world.patch("op", f"/api/incidents/{inc['id']}", {"address_text": "depan RS Antonius"}).get_json()
    assert out["location_source"] == "gazetteer"
    gps = take(world, lat=-0.0155, lon=109.3162, location_accuracy_m=15.0)["incident"]
    before = len(world.events())
    out = world.patch("op", f"/api/incidents/{gps['id']}", {"lat": -0.0155, "lon": 109.3162}).get_json()
    assert out["location_source"] == "given" and out["location_accuracy_m"] == 15.0
    assert len(world.events()) == before  # nothing changed, nothing logged


def test_a_school_number_alone_is_asked_not_guessed(world, session):
    """"SD Negeri 14": four schools have that number; the operator picks one, nothing is guessed."""
    body = take(world, location_text="depan SD Negeri 14")
    inc = body["incident"]
    assert inc["location_known"] is False and inc["location_text"] == "depan SD Negeri 14"
    offered = [c["name"] for c in body["location"]["candidates"] if c["kind"] == "school"]
    assert len(offered) == 4 and all(n.startswith("SD Negeri 14 ") for n in offered)
    assert "ambig" in body["location"]["message"]["en"].lower()


def test_an_unknown_gang_on_a_known_street_keeps_the_gang_in_the_words(world, session):
    body = take(world, location_text="Gg. Mawar, Jl. Gajah Mada")
    inc = body["incident"]
    assert (inc["location_name"], inc["location_kind"], inc["location_precision"]) == ("Jl. Gajah Mada", "road", "road")
    assert body["location"]["candidates"][0]["unmatched"] == "Gg. Mawar"
    assert stored(session, inc["id"]).location_text == "Gg. Mawar, Jl. Gajah Mada"


# --- The words as said, and the place they were resolved to ------------------------------------

@pytest.mark.parametrize("text, relation, precision, label", [
    ("depan RS Antonius", "depan", "place", None),
    ("dpn RS Antonius", "depan", "place", None),
    ("Gg. Mawar Sei Jawi Luar", None, "kelurahan",
     {"id": "perkiraan: tengah kelurahan", "en": "approximate: centre of the kelurahan"}),
    ("dkt Kecamatan Pontianak Timur", "dekat", "kecamatan",
     {"id": "perkiraan: tengah kecamatan", "en": "approximate: centre of the kecamatan"}),
    ("Jl. Siam", None, "road",
     {"id": "perkiraan: di sepanjang jalan", "en": "approximate: along the road"}),
    ("Gg. Suez, Jl. Gajah Mada", None, "road",
     {"id": "perkiraan: di sepanjang jalan", "en": "approximate: along the road"}),
    ("Gg. Mawar, Jl. Gajah Mada", None, "road",
     {"id": "perkiraan: di sepanjang jalan", "en": "approximate: along the road"}),
    ("-0.0202106, 109.3267782", None, "exact", None),
    ("rumah kuning pagar hijau", None, "unknown", None),
])
def test_the_words_are_kept_with_their_relation_and_how_precise_the_place_is(world, session, text, relation,
                                                                            precision, label):
    inc = take(world, location_text=text)["incident"]
    assert inc["location_text"] == inc["address_text"] == text
    assert (inc["location_relation"], inc["location_precision"], inc["location_precision_label"]) == (
        relation, precision, label)
    row = stored(session, inc["id"])
    assert (row.location_text, row.location_relation, row.location_precision) == (text, relation, precision)
    # the event a console applies says the same as the REST read
    created = next(e for e in world.events() if e["type"] == "incident.created" and e["incident_id"] == inc["id"])
    assert created["data"]["incident"]["location_precision"] == precision
    assert created["data"]["incident"]["location_text"] == text


def test_a_point_given_with_the_call_is_exact(world):
    inc = take(world, location_text="rumah pak RT", lat=-0.0202, lon=109.3268)["incident"]
    assert (inc["location_source"], inc["location_precision"], inc["location_precision_label"]) == (
        "given", "exact", None)


def test_the_suggestion_the_operator_chose_is_stored_beside_the_words_as_typed(world, session):
    """The trial: "depan RS Antonius" became "RSU Santo Antonius" and the crew read it as the patient
    being the hospital. The words stay; the chosen place sits beside them."""
    body = take(world, location_text="depan RS Antonius", lat=ANTONIUS[0], lon=ANTONIUS[1],
                location_name="RSU Santo Antonius", location_kind="hospital")
    inc = body["incident"]
    assert inc["location_text"] == "depan RS Antonius" and inc["location_relation"] == "depan"
    assert (inc["location_source"], inc["location_name"], inc["location_kind"], inc["location_precision"]) == (
        "chosen", "RSU Santo Antonius", "hospital", "place")
    assert (inc["lat"], inc["lon"]) == ANTONIUS and inc["kecamatan"] == "Pontianak Kota"
    assert body["call"]["location_text"] == "depan RS Antonius"
    row = stored(session, inc["id"])
    assert (row.location_text, row.location_source, row.location_name) == (
        "depan RS Antonius", "chosen", "RSU Santo Antonius")


def test_a_chosen_kelurahan_keeps_the_alley_and_says_it_is_approximate(world):
    inc = take(world, location_text="Gg. Mawar Sei Jawi Luar", lat=-0.0231, lon=109.3089,
               location_name="Sungaijawi Luar", location_kind="kelurahan")["incident"]
    assert inc["location_text"] == "Gg. Mawar Sei Jawi Luar" and inc["location_name"] == "Sungaijawi Luar"
    assert inc["location_precision"] == "kelurahan"
    assert inc["location_precision_label"]["id"] == "perkiraan: tengah kelurahan"


def test_a_correction_takes_a_chosen_suggestion_and_the_new_words(world, session):
    inc = take(world, location_text="rumah kuning")["incident"]
    out = world.patch("op", f"/api/incidents/{inc['id']}", {
        "location_text": "blkg Masjid Raya Mujahidin", "lat": -0.0437, "lon": 109.3315,
        "location_name": "Masjid Raya Mujahidin", "location_kind": "landmark"})
    assert out.status_code == 200, out.get_json()
    out = out.get_json()
    assert (out["location_text"], out["address_text"], out["location_relation"]) == (
        "blkg Masjid Raya Mujahidin", "blkg Masjid Raya Mujahidin", "belakang")
    assert (out["location_source"], out["location_name"], out["location_kind"], out["location_precision"]) == (
        "chosen", "Masjid Raya Mujahidin", "landmark", "place")
    changes = world.events()[-1]["data"]["changes"]
    assert changes["location_text"] == {"from": "rumah kuning", "to": "blkg Masjid Raya Mujahidin"}
    assert changes["location_source"] == {"from": "unknown", "to": "chosen"}
    # a chosen pin is the operator's choice: new words alone do not move it
    again = world.patch("op", f"/api/incidents/{inc['id']}", {"location_text": "depan RS Antonius"}).get_json()
    assert (again["lat"], again["lon"], again["location_source"]) == (-0.0437, 109.3315, "chosen")
    assert again["location_relation"] == "depan"
    # an operator's pin on the map is exact and has no name
    pinned = world.patch("op", f"/api/incidents/{inc['id']}", {"lat": -0.0440, "lon": 109.3320}).get_json()
    assert (pinned["location_source"], pinned["location_precision"], pinned["location_name"]) == (
        "operator", "exact", None)
    assert stored(session, inc["id"]).location_text == "depan RS Antonius"


def test_address_text_is_still_taken_as_the_old_name_of_location_text(world):
    inc = take(world, location_text="rumah kuning")["incident"]
    out = world.patch("op", f"/api/incidents/{inc['id']}", {"address_text": "dekat Pasar Flamboyan"}).get_json()
    assert out["location_text"] == out["address_text"] == "dekat Pasar Flamboyan"
    assert out["location_relation"] == "dekat"
    same = world.patch("op", f"/api/incidents/{inc['id']}", {"address_text": "x", "location_text": "x"})
    assert same.status_code == 200 and same.get_json()["location_text"] == "x"
