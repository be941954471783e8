"""The street index in the geocoder (dispatch/geo/streets.py with geocoder.py): streets alone and with
a landmark, a kelurahan or another street; landmarks, schools and puskesmas; the old rules hold."""
import pytest

from dispatch.core.geo import Geo
from dispatch.geo.distance import haversine_m


@pytest.fixture(scope="module")
def geocoder():
    return Geo().geocoder


def first(geocoder, text):
    found = geocoder.candidates(text, typing=False)
    return found[0] if found else None


@pytest.mark.parametrize("text", ["Jl. Tanjungpura", "Jalan Tanjung Pura", "Jl. Tanjungpura depan Kantor Pos"])
def test_a_street_named_alone_is_placed_on_it_as_approximate(geocoder, text):
    c = first(geocoder, text)
    assert (c["name"], c["kind"]) == ("Jl. Tanjungpura", "road") and c["precision_m"] >= 300


@pytest.mark.parametrize("text", ["A Yani", "Ahmad Yani", "Jend. Ahmad Yani", "Jl. A. Yani"])
def test_everyday_spellings_find_the_street(geocoder, text):
    assert first(geocoder, text)["name"] == "Jl. Ahmad Yani"


@pytest.mark.parametrize("text", ["Jl. Gajahmada", "Gajah Mada", "jln gajah mada"])
def test_gajah_mada_however_written(geocoder, text):
    assert first(geocoder, text)["name"] == "Jl. Gajah Mada"


def test_a_street_with_a_landmark_lands_on_the_street_nearest_it(geocoder):
    found = geocoder.candidates("Jl. Tanjungpura depan Pasar Flamboyan", typing=False)
    market = next(c for c in found if c["name"] == "Pasar Flamboyan")
    street = next(c for c in found if c["name"] == "Jl. Tanjungpura")
    alone = first(geocoder, "Jl. Tanjungpura")
    near = haversine_m(street["lat"], street["lon"], market["lat"], market["lon"])
    assert near < haversine_m(alone["lat"], alone["lon"], market["lat"], market["lon"]) and near < 400


def test_a_street_with_its_kelurahan_lands_in_that_kelurahan(geocoder):
    c = next(c for c in geocoder.candidates("Jl. Ahmad Yani, Bansir Laut", typing=False) if c["kind"] == "road")
    assert c["kelurahan"] == "Bansir Laut"


def test_two_streets_named_together_are_placed_where_they_meet(geocoder):
    c = first(geocoder, "simpang Jl. Gajah Mada - Jl. Tanjungpura")
    assert c["name"] == "Simpang Jl. Gajah Mada – Jl. Tanjungpura" and c["precision_m"] < 300
    street = first(geocoder, "Jl. Gajah Mada")
    assert c["precision_m"] < street["precision_m"]


def test_an_unknown_gang_with_its_street_is_placed_on_the_street_saying_so(geocoder):
    c = first(geocoder, "Gg. Mawar, Jl. Gajah Mada")
    assert (c["name"], c["kind"], c["unmatched"]) == ("Jl. Gajah Mada", "road", "Gg. Mawar")
    assert "notes" not in c and c["precision_m"] == first(geocoder, "Jl. Gajah Mada")["precision_m"]
    assert first(geocoder, "Gg. Mawar") is None          # a gang alone: nothing invented
    assert "unmatched" not in first(geocoder, "Jl. Gajah Mada")


@pytest.mark.parametrize("text, name, kind, unmatched", [
    ("simpang Jl. Ahmad Yani - Jl. Sutoyo", "Jl. Ahmad Yani", "road", "Jl. Sutoyo"),   # not in the data
    ("Jl. Tanjungpura depan Kantor Pos", "Jl. Tanjungpura", "road", "Kantor Pos"),
    ("Gg. Mawar, Kel. Tengah", "Tengah", "kelurahan", "Gg. Mawar"),
    ("jl gajah mada dekat rumah makan", "Jl. Gajah Mada", "road", "Rumah Makan"),
    ("Gg. Mawar 2 masuk dari Jl. Tanjung Raya 2", "Jl. Tanjung Raya II", "road", "Gg. Mawar 2"),
])
def test_what_else_the_caller_names_that_is_not_known_is_said(geocoder, text, name, kind, unmatched):
    c = first(geocoder, text)
    assert (c["name"], c["kind"], c["unmatched"]) == (name, kind, unmatched)


@pytest.mark.parametrize("text", ["Jl. A Yani no 12", "Jl A Yani RT 3 RW 2", "Jalan Ahmad Yani", "tanjungpura",
                                  "Jl. Tanjungpura depan Pasar Flamboyan"])
def test_house_numbers_and_known_places_leave_nothing_unmatched(geocoder, text):
    assert all("unmatched" not in c for c in geocoder.candidates(text))


@pytest.mark.parametrize("text", ["Gg. Suez, Jl. Gajah Mada", "Jl. Gajahmada Gang Suez", "gg suez gajah mada"])
def test_a_known_gang_with_its_street_is_placed_at_the_gang(geocoder, text):
    """Gangs come from the schools' addresses ("Jl. Gajah Mada Gg. Suez"): the gang is where its school is."""
    c = first(geocoder, text)
    assert (c["name"], c["kind"]) == ("Gg. Suez", "gang") and c["confidence"] >= 0.85
    street = next(x for x in geocoder.candidates(text, typing=False) if x["kind"] == "road")
    assert c["precision_m"] < street["precision_m"]
    # the street's own candidate moves to its point nearest the gang
    alone = first(geocoder, "Jl. Gajah Mada")
    assert haversine_m(street["lat"], street["lon"], c["lat"], c["lon"]) < \
        haversine_m(alone["lat"], alone["lon"], c["lat"], c["lon"])


def test_a_gang_off_a_street_the_index_lacks_is_found_with_that_street(geocoder):
    c = first(geocoder, "Jl. Merdeka Gg. Merak")
    assert (c["name"], c["kind"], c["confidence"]) == ("Gg. Merak", "gang", 0.86)
    assert first(geocoder, "merak") is None               # the gang's name alone, without "Gg.": not the gang


def test_a_gang_named_with_another_street_is_doubted(geocoder):
    found = geocoder.candidates("Gg. Merak, Jl. Ahmad Yani", typing=False)
    gang = next(c for c in found if c["kind"] == "gang")
    assert gang["notes"] == ["Gg. Merak leaves from Jl. Merdeka, not Jl. Ahmad Yani"]
    assert found[0]["name"] == "Jl. Ahmad Yani"


def test_a_street_the_road_lines_miss_is_drawn_through_its_lights(geocoder):
    c = first(geocoder, "Jl. Trunojoyo")
    assert (c["name"], c["kind"]) == ("Jl. Trunojoyo", "road") and 150 < c["precision_m"] < 400


def test_landmarks_schools_and_puskesmas_are_places(geocoder):
    assert (first(geocoder, "Pasar Flamboyan")["kind"]) == "landmark"
    school = first(geocoder, "SDN 3 Pontianak Kota")
    assert (school["name"], school["kind"]) == ("SD Negeri 3 Pontianak Kota", "school")
    pkm = first(geocoder, "Puskesmas Kampung Bali")
    assert (pkm["name"], pkm["kind"], pkm["kecamatan"]) == ("UPT Puskesmas Kampung Bali", "puskesmas", "Pontianak Kota")


@pytest.mark.parametrize("text", ["SD Negeri 14", "depan SD 14", "SDN 14"])
def test_a_school_number_alone_offers_every_school_of_that_number(geocoder, text):
    found = [c for c in geocoder.candidates(text, typing=False) if c["kind"] == "school"]
    assert {c["name"] for c in found} == {"SD Negeri 14 Pontianak Kota", "SD Negeri 14 Pontianak Selatan",
                                          "SD Negeri 14 Pontianak Timur", "SD Negeri 14 Pontianak Utara"}
    assert len({c["confidence"] for c in found}) == 1 and found[0]["confidence"] < 0.8
    named = first(geocoder, "SD Negeri 14 Pontianak Selatan")
    assert named["name"] == "SD Negeri 14 Pontianak Selatan" and named["confidence"] > found[0]["confidence"]


@pytest.mark.parametrize("text, name", [("Puskesmas Siantan Hulu", "UPT Puskesmas Siantan Hulu"),
                                        ("PKM Alianyang", "UPT Puskesmas Alianyang"),
                                        ("depan puskesmas Pal Lima", "UPT Puskesmas Pal Lima")])
def test_a_puskesmas_is_found_by_its_everyday_names(geocoder, text, name):
    c = first(geocoder, text)
    assert (c["name"], c["kind"]) == (name, "puskesmas")


def test_a_short_word_one_letter_off_a_street_is_not_that_street(geocoder):
    assert first(geocoder, "rumah kuning pagar hijau") is None


def test_a_road_the_gazetteer_knows_by_one_point_is_one_street_with_its_lights(geocoder):
    names = [c["name"] for c in geocoder.candidates("jl tanjung raya 2") if c["kind"] == "road"]
    assert names == ["Jl. Tanjung Raya II"]            # not also the gazetteer's "Jalan Tanjung Raya II"


def test_a_short_word_near_a_street_name_makes_no_crossing(geocoder):
    """"rumah cat hijau" is not Jl. Hijas: no "Simpang Jl. Tanjung Raya II – Jl. Hijas"."""
    names = [c["name"] for c in geocoder.candidates("masuk dari Jl. Tanjung Raya 2, rumah cat hijau")]
    assert names and not any(n.startswith("Simpang") for n in names)
