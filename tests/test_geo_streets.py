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


def test_a_gang_with_its_street_is_placed_on_the_street(geocoder):
    c = next(c for c in geocoder.candidates("Gg. Mawar, Jl. Gajah Mada", typing=False) if c["kind"] == "road")
    assert c["name"] == "Jl. Gajah Mada"
    assert first(geocoder, "Gg. Mawar") is None          # a gang alone: nothing invented


def test_landmarks_schools_and_puskesmas_are_places(geocoder):
    assert (first(geocoder, "Pasar Flamboyan")["kind"]) == "landmark"
    school = first(geocoder, "SDN 3 Pontianak Kota")
    assert (school["name"], school["kind"]) == ("SD Negeri 3 Pontianak Kota", "school")
    pkm = first(geocoder, "Puskesmas Kampung Bali")
    assert (pkm["name"], pkm["kind"], pkm["kecamatan"]) == ("UPT Puskesmas Kampung Bali", "puskesmas", "Pontianak Kota")


def test_a_short_word_one_letter_off_a_street_is_not_that_street(geocoder):
    assert first(geocoder, "rumah kuning pagar hijau") is None
