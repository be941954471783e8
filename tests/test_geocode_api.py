"""Search-as-you-type and reverse geocoding for the operator: GET /api/geocode and /api/reverse."""
from urllib.parse import quote

import pytest
from geopy.distance import geodesic

CONTRACT = {"name", "kind", "lat", "lon", "kelurahan", "kecamatan", "confidence"}


def geocode(world, q, who="op", **extra):
    url = f"/api/geocode?q={quote(q)}" + "".join(f"&{k}={v}" for k, v in extra.items())
    return world.get(who, url)


def test_candidates_are_ranked_and_carry_the_contract_fields(world):
    resp = geocode(world, "depan RS Antonius")
    assert resp.status_code == 200, resp.get_json()
    items = resp.get_json()["items"]
    assert items[0]["name"] == "RSU Santo Antonius" and items[0]["kind"] == "hospital"
    assert items[0]["kelurahan"] == "Mariana" and items[0]["kecamatan"] == "Pontianak Kota"
    assert geodesic((items[0]["lat"], items[0]["lon"]), (-0.0202106, 109.3267782)).meters < 200
    for item in items:
        assert CONTRACT <= set(item)
        assert 0 < item["confidence"] <= 1
    confidences = [i["confidence"] for i in items]
    assert confidences == sorted(confidences, reverse=True)


def test_search_as_you_type_offers_names_that_start_with_the_last_word(world):
    names = [i["name"] for i in geocode(world, "RS Anto").get_json()["items"]]
    assert "RSU Santo Antonius" in names
    names = [i["name"] for i in geocode(world, "RS Anto", typing="false").get_json()["items"]]
    assert "RSU Santo Antonius" not in names


def test_limit(world):
    assert len(geocode(world, "RS", limit=2).get_json()["items"]) <= 2
    assert len(geocode(world, "Sungai Jawi", limit=1).get_json()["items"]) == 1


def test_text_that_matches_nothing_gives_no_candidates(world):
    resp = geocode(world, "rumah kuning pagar hijau")
    assert resp.status_code == 200 and resp.get_json()["items"] == []
    assert geocode(world, "Gg. Mawar 5 / 12").get_json()["items"] == []


def test_coordinates_come_back_as_one_candidate(world):
    items = geocode(world, "https://www.google.com/maps/@-0.0202106,109.3267782,17z").get_json()["items"]
    assert len(items) == 1 and items[0]["kind"] == "coordinates" and items[0]["confidence"] == 1.0
    assert items[0]["kelurahan"] and items[0]["kecamatan"] == "Pontianak Kota"


@pytest.mark.parametrize("q, words", [
    ("-0.02 S, 109.33 E", "hemisphere"),
    ("95.0, 109.33", "latitude"),
    ("109.3267, -0.0202", "latitude"),
    ("https://maps.app.goo.gl/AbCdEf", "link"),
    ("X89R+M", "plus code"),
    ("6PFFX800+", "plus code"),
    ("-0,0202,109,3268", "ambiguous"),
])
def test_unusable_coordinates_are_a_clear_error_naming_q(world, q, words):
    resp = geocode(world, q)
    assert resp.status_code == 422, resp.get_json()
    error = resp.get_json()["error"]
    assert "q" in error["fields"] and words in error["message"].lower()


@pytest.mark.parametrize("q", ["X89R+M52 Pontianak", "6PFFX89R+M52", "x89r+m52"])
def test_a_plus_code_comes_back_as_coordinates_with_the_size_of_its_cell(world, q):
    items = geocode(world, q).get_json()["items"]
    assert len(items) == 1 and items[0]["kind"] == "coordinates" and items[0]["match"] == "plus_code"
    assert geodesic((items[0]["lat"], items[0]["lon"]), (-0.0308625, 109.340390625)).meters < 1
    assert items[0]["precision_m"] == 3 and items[0]["kecamatan"] == "Pontianak Kota"


def test_decimal_commas_come_back_as_coordinates(world):
    items = geocode(world, "-0,0202, 109,3268").get_json()["items"]
    assert len(items) == 1 and (items[0]["lat"], items[0]["lon"]) == (-0.0202, 109.3268)


def test_reverse_names_the_zone_and_the_nearest_place(world):
    resp = world.get("crew_a", "/api/reverse?lat=-0.0203&lon=109.3268")
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert body["kelurahan"] == "Mariana" and body["kecamatan"] == "Pontianak Kota"
    assert body["outside_service_area"] is False
    assert body["nearest_place"]["name"] == "RSU Santo Antonius" and body["nearest_place"]["distance_m"] < 50


def test_reverse_outside_the_city(world):
    body = world.get("op", "/api/reverse?lat=-0.15056&lon=109.40389").get_json()  # Bandara Supadio
    assert body["outside_service_area"] is True and body["kelurahan"] is None
    assert body["kecamatan"] == "Pontianak Tenggara"
    assert body["name"].startswith("Bandara") and body["nearest_place"]["kind"] == "landmark"
    body = world.get("op", "/api/reverse?lat=-0.11&lon=109.33").get_json()  # fields in Kubu Raya
    assert body["outside_service_area"] is True and body["nearest_place"] is None
    assert body["name"] == f"dekat Kec. {body['kecamatan']}"
