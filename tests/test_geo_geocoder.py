"""The geocoders as a call-taker meets them: whatever way a kelurahan, hospital or landmark of Pontianak is
written, the pin lands in the right place with an honest confidence; coordinates and map links win over
names; garbage finds nothing; and a geocoding server that is down, slow or talking nonsense never stands
between the call-taker and the offline answer."""
import csv
import json
import math
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from geopy.adapters import RequestsAdapter
from geopy.distance import geodesic
from geopy.geocoders import Nominatim
from geopy.geocoders.base import Geocoder
from geopy.location import Location
from openlocationcode import openlocationcode as olc

from conftest import REFERENCE_DATA
from dispatch.core.geo import Geo
from dispatch.geo.coords import CoordinateError
from dispatch.geo.gazetteer import Gazetteer
from dispatch.geo.geocoder import FallbackGeocoder, OfflineGeocoder
from dispatch.geo.pluscodes import PONTIANAK
from dispatch.geo.streets import StreetIndex
from dispatch.geo.zones import ZoneIndex

ROOT = Path(__file__).resolve().parents[1]
GAZETTEER = json.loads((ROOT / "dispatch/data/gazetteer.json").read_text(encoding="utf-8"))
HOSPITALS = json.loads((ROOT / "dispatch/data/demo.json").read_text(encoding="utf-8"))["hospitals"]
SHARED = REFERENCE_DATA
KECAMATAN = {"Pontianak Selatan", "Pontianak Timur", "Pontianak Barat", "Pontianak Utara", "Pontianak Kota",
             "Pontianak Tenggara"}


@pytest.fixture(scope="module")
def geo():
    return Geo()


@pytest.fixture(scope="module")
def geocoder(geo):
    return geo.geocoder


def top(geocoder, text, **kwargs):
    location = geocoder.geocode(text, **kwargs)
    assert location is not None, f"{text!r} found nothing"
    return location


def metres(location, lat, lon):
    return geodesic((location.latitude, location.longitude), (lat, lon)).meters


# --- kelurahan ---------------------------------------------------------------------------------------

KELURAHAN = {p["name"]: p for p in GAZETTEER["places"] if p["kind"] == "kelurahan"}
# Everyday spellings written by hand, besides the aliases of the data file.
EVERYDAY_KELURAHAN = {
    "Sungaijawi": ["Sungaijawi", "Sungai Jawi", "Sei Jawi", "SEI. JAWI", "Sg. Jawi"],
    "Sungaijawi Dalam": ["Sungai Jawi Dalam", "Sei Jawi Dalam", "Sei. Jawi Dalam"],
    "Sungaijawi Luar": ["Sei Jawi Luar", "Sungai Jawi Luar"],
    "Parittokaya": ["Parittokaya", "Parit Tokaya"],
    "Pallima": ["Pal Lima", "Pal V", "Pal 5", "pal lima"],
    "Benuamelayu Laut": ["Benua Melayu Laut"],
    "Benuamelayu Darat": ["Benua Melayu Darat"],
    "Tengah": ["Kel. Tengah", "Kelurahan Tengah"],
    "Batulayang": ["Batu Layang"],
    "Tanjung Hulu": ["Tanjung Hulu", "Tanjunghulu", "Tj. Hulu"],
    "Tanjung Hilir": ["Tj. Hilir", "Tanjunghilir"],
    "Sungaibangkong": ["Sei Bangkong", "Sungai Bangkong"],
    "Sungaibeliung": ["Sei Beliung", "Sungai Beliung"],
    "Dalambugis": ["Dalam Bugis"],
    "Tambelansampit": ["Tambelan Sampit"],
    "Kotabaru": ["Kota Baru"],
    "Daratsekip": ["Darat Sekip"],
    "Paritmayor": ["Parit Mayor"],
    "Bangkabelitung Laut": ["Bangka Belitung Laut"],
    "Bangkabelitung Darat": ["Bangka Belitung Darat"],
}


def _kelurahan_spellings():
    rows = []
    for name, place in KELURAHAN.items():
        spellings = [name, name.upper(), f"Kel. {name}"] + place["aliases"] + EVERYDAY_KELURAHAN.get(name, [])
        rows += [(name, s) for s in dict.fromkeys(spellings)]
    return rows


KELURAHAN_SPELLINGS = _kelurahan_spellings()


def test_the_table_covers_all_29_kelurahan_of_the_zones(geo):
    assert len(KELURAHAN) == 29
    assert set(KELURAHAN) == {z.name for z in geo.zones.kelurahan}
    assert set(EVERYDAY_KELURAHAN) <= set(KELURAHAN)


@pytest.mark.parametrize("prefix", ["", "Gg. Mawar, ", "Jl. Merdeka No. 7 RT 03/RW 05, "])
@pytest.mark.parametrize("official, spelling", KELURAHAN_SPELLINGS)
def test_each_spelling_of_each_kelurahan_lands_in_that_kelurahan(geocoder, official, spelling, prefix):
    raw = top(geocoder, prefix + spelling).raw
    assert raw["kind"] == "kelurahan"
    assert raw["name"] == official
    assert raw["kelurahan"] == official                       # the pin lies in its own zone
    assert raw["kecamatan"] == KELURAHAN[official]["kecamatan"]
    assert raw["outside_service_area"] is False
    assert 0.5 < raw["confidence"] < 0.9                      # sure of the area, not of the spot


# --- hospitals ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("hospital", HOSPITALS, ids=[h["short_name"] for h in HOSPITALS])
def test_each_hospital_by_its_name_and_short_name(geocoder, hospital):
    for text in (hospital["name"], hospital["short_name"], hospital["name"].upper()):
        raw = top(geocoder, text).raw
        assert raw["kind"] == "hospital", text
        assert raw["name"] == hospital["name"], text
        assert metres(top(geocoder, text), hospital["lat"], hospital["lon"]) <= 200, text
        assert raw["confidence"] >= 0.9, text


EVERYDAY_HOSPITALS = [
    ("RS Antonius", "RSU Santo Antonius"),
    ("depan RS Antonius", "RSU Santo Antonius"),
    ("RS St. Antonius", "RSU Santo Antonius"),
    ("Rumah Sakit Antonius", "RSU Santo Antonius"),
    ("RS Kota", "RSUD Sultan Syarif Mohamad Alkadrie"),
    ("RSUD Kota Pontianak", "RSUD Sultan Syarif Mohamad Alkadrie"),
    ("Soedarso", "RSUD dr. Soedarso"),
    ("Sudarso", "RSUD dr. Soedarso"),
    ("RSUD Soedarso", "RSUD dr. Soedarso"),
    ("RSUD Dokter Soedarso", "RSUD dr. Soedarso"),
    ("RS Jeumpa", "Rumah Sakit Jeumpa Pontianak"),
    ("RSB Jeumpa", "Rumah Sakit Bersalin Jeumpa"),
    ("RS Untan", "Rumah Sakit Universitas Tanjungpura"),
    ("RS ABK", "Rumah Sakit Anugerah Bunda Khatulistiwa"),
    ("Yarsi", "RSU YARSI PONTIANAK"),
    ("RSJ", "RS Jiwa Daerah Sungai Bangkong / RS Khusus Provinsi Kalbar"),
    ("RSIA Nabasa", "RSIA NABASA Pontianak"),
    ("Bhayangkara", "RS Bhayangkara Anton Soedjarwo Pontianak"),
    ("Gg. Mawar dekat RS Mitra Medika", "Rumah Sakit Mitra Medika"),
]
HOSPITAL_AT = {h["name"]: (h["lat"], h["lon"]) for h in HOSPITALS}


@pytest.mark.parametrize("text, hospital", EVERYDAY_HOSPITALS)
def test_each_hospital_by_its_everyday_names(geocoder, text, hospital):
    location = top(geocoder, text)
    assert location.raw["kind"] == "hospital"
    assert location.raw["name"] == hospital
    assert metres(location, *HOSPITAL_AT[hospital]) <= 200


def _reference_hospitals():
    if not SHARED.is_dir():
        return []
    with open(SHARED / "places.csv", encoding="utf-8", newline="") as fh:
        return [row for row in csv.DictReader(fh) if row["kind"] == "hospital"]


@pytest.mark.skipif(not SHARED.is_dir(), reason=f"shared reference data not found at {SHARED}")
@pytest.mark.parametrize("row", _reference_hospitals() or [None], ids=lambda r: r and r["name"].split(" - ")[0])
def test_each_reference_hospital_by_its_name(geocoder, row):
    name = row["name"].split(" - ")[0]
    location = top(geocoder, name)
    assert location.raw["kind"] == "hospital"
    assert metres(location, float(row["lat"]), float(row["lon"])) <= 200


@pytest.mark.skipif(not SHARED.is_dir(), reason=f"shared reference data not found at {SHARED}")
def test_the_reference_data_has_the_15_hospitals():
    assert len(_reference_hospitals()) == 15 == len(HOSPITALS)


# --- landmarks, bridges, roads -------------------------------------------------------------------------

# Reference points (places.csv of the shared data; Wikipedia for the monument).
LANDMARKS = [
    ("Tugu Khatulistiwa", "landmark", (0.001058, 109.322194), 150),
    ("Equator Monument", "landmark", (0.001058, 109.322194), 150),
    ("Masjid Raya Mujahidin", "landmark", (-0.041644, 109.3361516), 200),
    ("Keraton Kadriah", "landmark", (-0.028865, 109.349895), 200),
    ("Istana Qadriyah", "landmark", (-0.028865, 109.349895), 200),
    ("Masjid Jami", "landmark", (-0.02673, 109.347679), 200),
    ("Alun Kapuas", "landmark", (-0.019572, 109.339459), 200),
    ("Bundaran Untan", "landmark", (-0.055135, 109.350021), 200),
    ("Digulis", "landmark", (-0.055135, 109.350021), 200),
    ("Kampung Beting", "landmark", (-0.025326, 109.346482), 300),
    ("dekat jembatan Landak", "bridge", (-0.01974, 109.363), 200),
    ("Jembatan Kapuas 1", "bridge", (-0.03732, 109.35164), 200),
    ("Jembatan Kapuas I", "bridge", (-0.03732, 109.35164), 200),
]


@pytest.mark.parametrize("text, kind, point, within_m", LANDMARKS)
def test_landmarks_and_bridges(geocoder, text, kind, point, within_m):
    location = top(geocoder, text)
    assert location.raw["kind"] == kind
    assert metres(location, *point) <= within_m
    assert location.raw["confidence"] >= 0.8


def _metres_to_line(lat, lon, line):
    """Distance from a point to a polyline of (lat, lon), flat-earth (fine over a few km at the equator)."""
    k = 111_320.0
    px, py = lon * k * math.cos(math.radians(lat)), lat * k
    best = math.inf
    for (a_lat, a_lon), (b_lat, b_lon) in zip(line, line[1:]):
        ax, ay = a_lon * k * math.cos(math.radians(a_lat)), a_lat * k
        bx, by = b_lon * k * math.cos(math.radians(b_lat)), b_lat * k
        dx, dy = bx - ax, by - ay
        t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
        best = min(best, math.hypot(px - ax - t * dx, py - ay - t * dy))
    return best


# Points on Jl. Jend. Ahmad Yani from the shared reference data (places.csv), north-west to south-east.
AHMAD_YANI = [(-0.04718, 109.34266), (-0.05545, 109.34961), (-0.06167, 109.35471), (-0.06957, 109.36153)]


@pytest.mark.parametrize("text", ["Jl. Ahmad Yani", "Jalan A. Yani", "Jl. Jend. A. Yani", "jln ahmad yani"])
def test_a_main_road_lands_on_the_road(geocoder, text):
    location = top(geocoder, text)
    assert location.raw["kind"] == "road"
    assert location.raw["name"] == "Jl. Ahmad Yani"
    assert _metres_to_line(location.latitude, location.longitude, AHMAD_YANI) <= 250   # four points of the road against its RBI line


def test_a_road_with_a_kelurahan_lands_on_the_stretch_in_that_kelurahan(geocoder):
    plain = top(geocoder, "Jl. A. Yani")
    location = top(geocoder, "Jl. A. Yani, Bansir Laut")
    assert location.raw["kind"] == "road"
    assert location.raw["kelurahan"] == "Bansir Laut"
    assert _metres_to_line(location.latitude, location.longitude, AHMAD_YANI) <= 250
    assert location.raw["confidence"] > plain.raw["confidence"]


STREETS = StreetIndex.load()


def _metres_to_street(lat, lon, name):
    return min(_metres_to_line(lat, lon, [tuple(p) for p in line]) for line in STREETS.street(name).lines)


# Long streets and the kelurahan (as the zones name them) each one runs through, with everyday spellings.
ROAD_IN_KELURAHAN = [
    ("Jl. Ahmad Yani, Benua Melayu Darat", "Jl. Ahmad Yani", "Benuamelayu Darat"),
    ("Jl A Yani kel Akcaya", "Jl. Ahmad Yani", "Akcaya"),
    ("jln a yani kelurahan bansir laut", "Jl. Ahmad Yani", "Bansir Laut"),
    ("Jl. Jend. A. Yani, Kel. Bangka Belitung Laut", "Jl. Ahmad Yani", "Bangkabelitung Laut"),
    ("Jl. Tanjung Raya 2, Saigon", "Jl. Tanjung Raya II", "Saigon"),
    ("Jl. Tanjung Raya II, Banjar Serasan", "Jl. Tanjung Raya II", "Banjar Serasan"),
    ("jl tanjung raya 2 kel parit mayor", "Jl. Tanjung Raya II", "Paritmayor"),
    ("Jl. Tanjung Raya II, Tambelan Sampit", "Jl. Tanjung Raya II", "Tambelansampit"),
    ("Jl. Budi Utomo, Siantan Hilir", "Jl. Budi Utomo", "Siantan Hilir"),
    ("Jl. Budi Utomo, Siantan Tengah", "Jl. Budi Utomo", "Siantan Tengah"),
    ("Jl. Khatulistiwa, Batu Layang", "Jl. Khatulistiwa", "Batulayang"),
    ("Jl. Gajah Mada, Darat Sekip", "Jl. Gajah Mada", "Daratsekip"),
]


@pytest.mark.parametrize("text, street, kelurahan", ROAD_IN_KELURAHAN)
def test_a_road_with_a_kelurahan_is_on_the_road_inside_that_kelurahan(geo, geocoder, text, street, kelurahan):
    alone = top(geocoder, street).raw
    raw = top(geocoder, text).raw
    assert (raw["name"], raw["kind"]) == (street, "road")
    assert _metres_to_street(raw["lat"], raw["lon"], street) < 2            # on the road's line
    assert geo.zones.lookup(raw["lat"], raw["lon"]).kelurahan == kelurahan == raw["kelurahan"]   # in the zone
    assert raw["precision_m"] < alone["precision_m"]                         # a stretch, not the whole road
    assert "notes" not in raw and raw["confidence"] > alone["confidence"]


def test_each_kelurahan_a_road_crosses_puts_it_somewhere_else(geocoder):
    points = {kel: top(geocoder, f"Jl. Ahmad Yani, {kel}").raw for kel in
              ("Benua Melayu Darat", "Akcaya", "Bansir Laut", "Bangka Belitung Laut")}
    for a, b in [("Benua Melayu Darat", "Akcaya"), ("Akcaya", "Bansir Laut"), ("Bansir Laut", "Bangka Belitung Laut")]:
        assert geodesic((points[a]["lat"], points[a]["lon"]), (points[b]["lat"], points[b]["lon"])).meters > 500


def test_a_road_just_outside_a_coarse_kelurahan_border_is_its_nearest_stretch(geo, geocoder):
    """The street lights put Jl. Ahmad Yani in Benua Melayu Laut; the coarse zones miss it by about 300 m."""
    raw = top(geocoder, "Jl. Ahmad Yani, Benua Melayu Laut").raw
    assert raw["name"] == "Jl. Ahmad Yani" and "notes" not in raw
    assert _metres_to_street(raw["lat"], raw["lon"], "Jl. Ahmad Yani") < 2
    assert 0 < geo.zones.distance_to("kelurahan", "Benuamelayu Laut", raw["lat"], raw["lon"]) < 500


@pytest.mark.parametrize("text, kelurahan", [("Jl. Ahmad Yani, Siantan Hulu", "Siantan Hulu"),
                                             ("Jl. Ahmad Yani, Kel. Mariana", "Mariana"),
                                             ("Jl. Gajah Mada, Sei Jawi", "Sungaijawi")])
def test_a_road_that_does_not_pass_through_the_kelurahan_says_so(geocoder, text, kelurahan):
    street = text.split(",")[0]
    alone = top(geocoder, street).raw
    found = geocoder.candidates(text)
    road = next(c for c in found if c["kind"] == "road")
    [note] = road["notes"]
    assert note.startswith(f"{road['name']} does not pass through kelurahan {kelurahan} (") and note.endswith(" km away)")
    assert (road["lat"], road["lon"]) == (alone["lat"], alone["lon"])     # no point made up in between
    assert road["confidence"] < alone["confidence"]
    # the kelurahan is offered first, doubted the same way: the operator is asked, nothing is guessed
    assert (found[0]["kind"], found[0]["name"], found[0]["notes"]) == ("kelurahan", kelurahan, [note])


# --- plus codes and coordinates as callers write them ----------------------------------------------

@pytest.mark.parametrize("lat, lon, kelurahan", [(-0.0202106, 109.3267782, "Mariana"),      # RS Antonius
                                                 (-0.041644, 109.3361516, "Akcaya")])       # Masjid Raya Mujahidin
def test_plus_codes_are_coordinates_as_precise_as_their_cell(geo, geocoder, lat, lon, kelurahan):
    full = olc.encode(lat, lon, 11)
    for text in (full, olc.shorten(full, *PONTIANAK), olc.shorten(full, *PONTIANAK).lower() + " Pontianak"):
        found = geocoder.geocode(text, exactly_one=False)
        assert len(found) == 1, text
        raw = found[0].raw
        assert (raw["kind"], raw["match"], raw["precision_m"], raw["confidence"]) == ("coordinates", "plus_code", 3, 1.0)
        assert metres(found[0], lat, lon) <= 3
        assert raw["kelurahan"] == kelurahan == geo.zones.lookup(lat, lon).kelurahan


def test_a_literal_plus_code_near_pontianak(geocoder):
    raw = top(geocoder, "X89R+M52 Pontianak").raw           # 6PFFX89R+M52, worked out once with the library
    assert (raw["lat"], raw["lon"]) == (pytest.approx(-0.0308625), pytest.approx(109.340390625))
    assert raw["kelurahan"] == "Daratsekip" and raw["precision_m"] == 3


@pytest.mark.parametrize("text", ["X89R+M", "6PFFX89R+M", "9R+M52", "6PFFX800+"])
def test_a_plus_code_that_cannot_be_used_is_an_error_not_a_guess(geocoder, text):
    with pytest.raises(CoordinateError):
        geocoder.geocode(text)


def test_an_invalid_plus_code_inside_an_address_leaves_the_address(geocoder):
    assert top(geocoder, "RS Antonius X89R+M").raw["name"] == "RSU Santo Antonius"


@pytest.mark.parametrize("text", ["-0,0202, 109,3268", "-0,0202 109,3268", "0,0202 LS 109,3268 BT",
                                  "lat -0,0202 long 109,3268", "0,0202 Lintang Selatan 109,3268 Bujur Timur"])
def test_decimal_commas_and_indonesian_hemisphere_words_are_coordinates(geocoder, text):
    raw = top(geocoder, text).raw
    assert raw["kind"] == "coordinates" and (raw["lat"], raw["lon"]) == (pytest.approx(-0.0202), pytest.approx(109.3268))
    assert raw["kelurahan"] == "Mariana"


# --- chat and SMS abbreviations ---------------------------------------------------------------------

@pytest.mark.parametrize("typed, spelled_out, place", [
    ("dpn msjd raya mujahidin", "depan masjid raya mujahidin", "Masjid Raya Mujahidin"),
    ("dkt msjd jami", "dekat masjid jami", "Masjid Jami Sultan Syarif Abdurrahman"),
    ("jln a yani dkt rsud soedarso", "jalan ahmad yani dekat rumah sakit umum daerah soedarso", "RSUD dr. Soedarso"),
    ("jl a yani sblh rsud soedarso", "jalan a yani sebelah rumah sakit soedarso", "RSUD dr. Soedarso"),
    ("blkg rsu antonius", "belakang rumah sakit umum antonius", "RSU Santo Antonius"),
    ("dpn R.S. Antonius", "depan Rumah Sakit Antonius", "RSU Santo Antonius"),
    ("gg suez jln gajah mada", "gang suez jalan gajah mada", "Gg. Suez"),
    ("gg suez sblh sd", "gang suez sebelah sd", "Gg. Suez"),
    ("sblh sdn 8 pontianak selatan", "sebelah sd negeri 8 pontianak selatan", "SD Negeri 8 Pontianak Selatan"),
    ("jln tanjungpura dpn psr flamboyan", "jalan tanjungpura depan pasar flamboyan", "Pasar Flamboyan"),
    ("smpg pkm alianyang", "samping puskesmas alianyang", "UPT Puskesmas Alianyang"),
    ("sbrg jmbtn kapuas 1", "seberang jembatan kapuas 1", "Jembatan Kapuas I"),
    ("sei jawi", "sungai jawi", "Sungaijawi"),
    ("sui jawi", "sungai jawi", "Sungaijawi"),
    ("sungei jawi", "sungai jawi", "Sungaijawi"),
    ("sg. jawi dalam", "sungai jawi dalam", "Sungaijawi Dalam"),
    ("sui bangkong", "sungai bangkong", "Sungaibangkong"),
    ("jln sui raya dalam", "jalan sungai raya dalam", "Jalan Sungai Raya Dalam"),
    ("jl sei raya dalam", "jalan sungai raya dalam", "Jalan Sungai Raya Dalam"),
])
def test_chat_abbreviations_resolve_as_the_words_spelled_out(geocoder, typed, spelled_out, place):
    short, long = top(geocoder, typed).raw, top(geocoder, spelled_out).raw
    assert short["name"] == long["name"] == place
    assert (short["lat"], short["lon"], short["confidence"]) == (long["lat"], long["lon"], long["confidence"])


def test_s_dot_is_not_sungai(geocoder):
    assert top(geocoder, "Jl. S. Parman").raw["name"] == "Jl. S. Parman"


# --- typos, relation words, conflicts --------------------------------------------------------------

@pytest.mark.parametrize("typo, exact, place", [
    ("RS Antonis", "RS Antonius", "RSU Santo Antonius"),
    ("Soedarsoo", "Soedarso", "RSUD dr. Soedarso"),
    ("Sungai Jawi Dalm", "Sungai Jawi Dalam", "Sungaijawi Dalam"),
    ("Siantn Tengah", "Siantan Tengah", "Siantan Tengah"),
    ("Tugu Katulistiwa", "Tugu Khatulistiwa", "Tugu Khatulistiwa"),
    ("Masjid Raya Mujahiddin", "Masjid Raya Mujahidin", "Masjid Raya Mujahidin"),
    ("Bansir Laup", "Bansir Laut", "Bansir Laut"),
])
def test_small_typos_still_resolve_with_lower_confidence(geocoder, typo, exact, place):
    sure = top(geocoder, exact).raw
    unsure = top(geocoder, typo).raw
    assert sure["name"] == unsure["name"] == place
    assert 0.3 < unsure["confidence"] < sure["confidence"]


@pytest.mark.parametrize("word", ["depan", "dekat", "samping", "belakang", "seberang"])
@pytest.mark.parametrize("place", ["RS Antonius", "Tugu Khatulistiwa", "Sungai Jawi"])
def test_relation_words_keep_the_place_but_lower_confidence_slightly(geocoder, word, place):
    at = top(geocoder, place).raw
    near = top(geocoder, f"{word} {place}").raw
    assert near["name"] == at["name"]
    assert (near["lat"], near["lon"]) == (at["lat"], at["lon"])
    assert at["confidence"] - 0.1 <= near["confidence"] < at["confidence"]


def test_a_kelurahan_that_contradicts_the_hospital_lowers_confidence(geocoder):
    alone = top(geocoder, "RS Antonius").raw
    other = next(k for k in ("Siantan Hulu", "Sungaijawi") if k != alone["kelurahan"])
    found = geocoder.geocode(f"RS Antonius, Kel. {other}", exactly_one=False)
    best = found[0].raw
    assert best["name"] == "RSU Santo Antonius"                  # the hospital still leads ...
    assert best["confidence"] <= alone["confidence"] - 0.15       # ... but clearly less sure
    assert any(other in note for note in best["notes"])          # and says why
    assert other in [loc.raw["name"] for loc in found]            # the kelurahan is offered too


def test_the_kelurahan_the_hospital_is_in_raises_confidence(geocoder):
    alone = top(geocoder, "RS Antonius").raw
    agreeing = top(geocoder, f"RS Antonius, Kel. {alone['kelurahan']}").raw
    assert agreeing["name"] == "RSU Santo Antonius"
    assert agreeing["confidence"] > alone["confidence"]
    assert "notes" not in agreeing


# --- coordinates in the text ---------------------------------------------------------------------

@pytest.mark.parametrize("text, lat, lon", [
    ("-0.0202, 109.3268", -0.0202, 109.3268),
    ("https://www.google.com/maps/place/RS+Santo+Antonius/@-0.0201,109.3250,17z/data=!3m1!4b1!4m6!3m5"
     "!1s0x0:0x0!8m2!3d-0.020211!4d109.326778", -0.020211, 109.326778),
    ("https://maps.google.com/?q=-0.020211,109.326778", -0.020211, 109.326778),
    ("https://www.openstreetmap.org/?mlat=-0.02021&mlon=109.32678#map=17/-0.02021/109.32678", -0.02021, 109.32678),
    ("lokasi pasien https://www.openstreetmap.org/#map=18/-0.05500/109.34960 dekat RS Antonius", -0.055, 109.3496),
])
def test_coordinates_and_map_links_win(geo, geocoder, text, lat, lon):
    found = geocoder.geocode(text, exactly_one=False)
    assert len(found) == 1
    raw = found[0].raw
    assert raw["kind"] == "coordinates"
    assert raw["confidence"] == 1.0
    assert (found[0].latitude, found[0].longitude) == pytest.approx((lat, lon), abs=1e-6)
    zone = geo.zones.lookup(lat, lon)
    assert raw["kelurahan"] == zone.kelurahan is not None
    assert raw["kecamatan"] == zone.kecamatan


@pytest.mark.parametrize("text", ["Gg. Mawar 5 / 12", "RT 03 RW 05", "RT.03/RW.05 No. 12", "0811-573-119"])
def test_house_numbers_and_rt_rw_are_not_a_place(geocoder, text):
    assert geocoder.geocode(text) is None
    assert geocoder.geocode(text, exactly_one=False) == []


def test_coordinates_that_cannot_be_used_are_an_error_not_a_guess(geocoder):
    with pytest.raises(CoordinateError):
        geocoder.geocode("-0.02 S 109.33 E")


# --- search as you type ------------------------------------------------------------------------------

def test_search_as_you_type_offers_what_is_being_typed(geocoder):
    offered = [loc.raw["name"] for loc in geocoder.geocode("RS Anto", exactly_one=False, typing=True)]
    assert "RSU Santo Antonius" in offered
    assert geocoder.geocode("RS Anto", exactly_one=False) == []


def test_search_as_you_type_prefers_the_words_typed_together(geocoder):
    assert top(geocoder, "Tugu Kha", typing=True).raw["name"] == "Tugu Khatulistiwa"


def test_a_prefix_is_less_sure_than_the_whole_name(geocoder):
    typed = top(geocoder, "Soed", typing=True).raw
    assert typed["name"] == "RSUD dr. Soedarso"
    assert typed["confidence"] < top(geocoder, "Soedarso").raw["confidence"]


# --- reverse -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("hospital", HOSPITALS, ids=[h["short_name"] for h in HOSPITALS])
def test_reverse_of_a_hospital_names_it_and_its_kelurahan(geo, geocoder, hospital):
    location = geocoder.reverse((hospital["lat"], hospital["lon"]))
    assert isinstance(location, Location)
    assert location.address == hospital["name"]
    assert location.raw["nearest_place"]["name"] == hospital["name"]
    zone = geo.zones.lookup(hospital["lat"], hospital["lon"])
    assert location.raw["kelurahan"] == zone.kelurahan is not None
    assert location.raw["kecamatan"] == zone.kecamatan
    assert location.raw["outside_service_area"] is False


def test_reverse_near_but_not_at_a_place_says_near(geocoder):
    location = geocoder.reverse((-0.0202, 109.3290))   # about 250 m east of RS Antonius
    assert location.address == "dekat RSU Santo Antonius"
    assert 150 < location.raw["nearest_place"]["distance_m"] < 400


def test_reverse_away_from_every_place_names_the_zone(geocoder):
    kel = KELURAHAN["Kotabaru"]          # (Sungaijawi's centre now has a puskesmas placed by its kelurahan)
    location = geocoder.reverse((kel["lat"], kel["lon"]))
    assert location.raw["nearest_place"] is None
    assert location.address == "Kel. Kotabaru, Kec. Pontianak Selatan"


def test_reverse_outside_the_city_says_so_with_the_nearest_kecamatan(geocoder):
    location = geocoder.reverse((-0.15056, 109.40389))   # Supadio airport, Kubu Raya
    assert location.raw["outside_service_area"] is True
    assert location.raw["kelurahan"] is None
    assert location.raw["kecamatan"] in KECAMATAN


def test_reverse_takes_a_location(geocoder):
    found = top(geocoder, "RS Antonius")
    assert geocoder.reverse(found).address == "RSU Santo Antonius"


# --- the geopy interface ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def standalone():
    return OfflineGeocoder(Gazetteer.load(), zones=ZoneIndex.shipped())


def test_offline_geocoder_is_a_geopy_geocoder(standalone):
    assert isinstance(standalone, Geocoder)
    location = standalone.geocode("RS Antonius")
    assert isinstance(location, Location)
    assert location.address.startswith("RSU Santo Antonius")
    assert location.raw["kelurahan"] in location.address
    assert (location.latitude, location.longitude) == pytest.approx((-0.020211, 109.326778), abs=1e-6)


def test_several_candidates_come_best_first_and_limit_cuts(standalone):
    found = standalone.geocode("RS Antonius, Sungai Jawi, Pontianak Barat", exactly_one=False)
    assert len(found) >= 3 and all(isinstance(loc, Location) for loc in found)
    confidences = [loc.raw["confidence"] for loc in found]
    assert confidences == sorted(confidences, reverse=True)
    assert standalone.geocode("RS Antonius, Sungai Jawi, Pontianak Barat", exactly_one=False, limit=2) == found[:2]
    assert len(standalone.geocode("Jalan", exactly_one=False, typing=True, limit=3)) == 3


def test_without_zones_the_place_is_found_but_no_zone_is_claimed():
    bare = OfflineGeocoder(Gazetteer.load())
    raw = bare.geocode("RS Antonius").raw
    assert raw["name"] == "RSU Santo Antonius"
    assert raw["kelurahan"] is None and raw["outside_service_area"] is None


# --- bad input -------------------------------------------------------------------------------------------

GARBAGE = ["", "   ", "\t\n", "a" * 500, "x" * 600, "\x00\x01\x02\x03", "\ud800", "\ud800\udfff\x7f",
           "nan, inf", "NaN", "inf, -inf", "-nan, nan", "1e5, 2e5", "asdfgh qwerty", "!!!???", "🚑🚑🚑",
           "0000000000", "aaaa bbbb cccc", "DROP TABLE incidents;", "mawar " * 100]


@pytest.mark.parametrize("typing", [False, True])
@pytest.mark.parametrize("text", GARBAGE, ids=lambda t: repr(t[:20]))
def test_garbage_never_becomes_a_confident_location(geocoder, text, typing):
    try:
        found = geocoder.geocode(text, exactly_one=False, typing=typing)
    except CoordinateError:
        return
    assert [loc.raw["name"] for loc in found if loc.raw["confidence"] > 0.5] == []


def test_none_is_no_query(geocoder):
    assert geocoder.geocode(None) is None


def test_broken_characters_around_a_name_do_not_hide_it(geocoder):
    assert top(geocoder, "\ud800RS\x00Antonius\ufeff").raw["name"] == "RSU Santo Antonius"
    assert top(geocoder, "RS Antonius " + "x" * 480).raw["name"] == "RSU Santo Antonius"


# --- a geocoding server first, offline when it fails ----------------------------------------------

class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def _count_calls(monkeypatch, server):
    calls = []
    real = server.geocode

    def counting(query, *args, **kwargs):
        calls.append(query)
        return real(query, *args, **kwargs)

    monkeypatch.setattr(server, "geocode", counting)
    return calls


def _closed_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _no_retries(proxies, ssl_context):
    return RequestsAdapter(proxies=proxies, ssl_context=ssl_context, max_retries=0)


def _nominatim(port, timeout=0.5):
    # Without geopy's default two retries: one request per query, so the tests can count them.
    return Nominatim(domain=f"127.0.0.1:{port}", scheme="http", timeout=timeout, user_agent="psc119-tests",
                     proxies={}, adapter_factory=_no_retries)


def test_a_server_that_is_down_falls_back_and_is_left_alone_for_a_while(geo, monkeypatch):
    server = _nominatim(_closed_port())
    calls = _count_calls(monkeypatch, server)
    clock = Clock()
    fallback = FallbackGeocoder(server, geo.offline, pause_after_failure_s=30, clock=clock)

    raw = fallback.geocode(MAWAR).raw
    assert (raw["kind"], raw["name"]) == ("kelurahan", "Sungaijawi Luar")
    assert len(calls) == 1

    clock.now += 29
    assert fallback.geocode("Gg. Melati, Parit Tokaya").raw["name"] == "Parittokaya"
    assert len(calls) == 1                     # not asked again while paused

    clock.now += 2
    assert fallback.geocode("Jl. Merdeka, Pal V").raw["name"] == "Pallima"
    assert len(calls) == 2                     # asked again after the pause


class FakeNominatim:
    """A tiny Nominatim: answers /search with whatever the test sets, records the queries."""

    def __init__(self):
        self.status, self.body = 200, b"[]"
        self.paths = []
        self.hold = False
        self.release = threading.Event()

    def answer(self, places=None, *, status=200, body=None):
        self.status = status
        self.body = body if body is not None else json.dumps(places or []).encode()


@pytest.fixture
def nominatim():
    fake = FakeNominatim()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            fake.paths.append(self.path)
            if fake.hold:
                fake.release.wait(10)
            try:
                self.send_response(fake.status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(fake.body)
            except OSError:
                pass   # the client gave up (timeout test)

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    fake.port = httpd.server_port
    yield fake
    fake.release.set()
    httpd.shutdown()
    httpd.server_close()
    thread.join(5)


MAWAR = "Gg. Mawar, Sei Jawi Luar"   # offline: only the kelurahan, so the server is asked
ANTONIUS_BY_SERVER = {"lat": "-0.0202", "lon": "109.3268", "importance": 0.5,
                      "display_name": "Rumah Sakit Santo Antonius, Jalan KH Wahid Hasyim, Pontianak"}


def test_a_query_goes_to_the_server_and_its_answer_gets_our_zones(nominatim):
    geo = Geo(nominatim_url=f"http://127.0.0.1:{nominatim.port}", nominatim_timeout_s=2)
    assert isinstance(geo.geocoder, FallbackGeocoder)
    nominatim.answer([ANTONIUS_BY_SERVER])
    location = geo.geocoder.geocode("Gg. Mawar 5, Mariana")
    assert len(nominatim.paths) == 1 and nominatim.paths[0].startswith("/search?")
    path = nominatim.paths[0]
    assert "q=Gg.+Mawar+5%2C+Mariana" in path
    # Only answers around the city are asked for.
    assert "viewbox=" in path and "bounded=1" in path and "countrycodes=id" in path
    raw = location.raw
    assert raw["kind"] == "server"
    assert location.address.startswith(ANTONIUS_BY_SERVER["display_name"])
    assert (location.latitude, location.longitude) == pytest.approx((-0.0202, 109.3268))
    assert raw["kelurahan"] == geo.zones.lookup(-0.0202, 109.3268).kelurahan is not None
    assert 0 < raw["confidence"] <= 1


def test_a_place_known_for_certain_is_not_asked_of_the_server(geo, nominatim):
    fallback = FallbackGeocoder(_nominatim(nominatim.port, timeout=2), geo.offline, clock=Clock())
    nominatim.answer([ANTONIUS_BY_SERVER])
    assert fallback.geocode("depan RS Antonius").raw["kind"] == "hospital"
    assert nominatim.paths == []


def test_a_server_answer_in_another_city_is_dropped(geo, nominatim):
    fallback = FallbackGeocoder(_nominatim(nominatim.port, timeout=2), geo.offline, clock=Clock())
    jakarta = {"lat": "-6.2", "lon": "106.8", "importance": 0.9, "display_name": "Jalan Mawar, Jakarta"}
    nominatim.answer([jakarta])
    found = fallback.geocode(MAWAR, exactly_one=False)
    assert len(nominatim.paths) == 1
    assert [loc.raw["name"] for loc in found] == ["Sungaijawi Luar"]


def test_an_empty_server_answer_uses_the_offline_result(geo, nominatim):
    fallback = FallbackGeocoder(_nominatim(nominatim.port, timeout=2), geo.offline, clock=Clock())
    nominatim.answer([])
    assert fallback.geocode(MAWAR).raw["kind"] == "kelurahan"
    assert fallback.geocode("Gg. Melati, Parit Tokaya").raw["name"] == "Parittokaya"
    assert len(nominatim.paths) == 2           # finding nothing is not a failure: the server is asked again


@pytest.mark.filterwarnings("ignore:Latitude normalization:UserWarning")
@pytest.mark.parametrize("status, body", [
    (500, b"[]"),
    (200, b"<html>not json</html>"),
    (200, b'{"error": "Nominatim is overloaded"}'),
    (200, json.dumps([{"lat": "nan", "lon": "nan", "display_name": "?"}]).encode()),
    (200, json.dumps([{"lat": "95", "lon": "109.3268", "display_name": "?"}]).encode()),
], ids=["http-500", "not-json", "error-object", "nan-point", "latitude-95"])
def test_a_server_talking_nonsense_falls_back(geo, nominatim, status, body):
    clock = Clock()
    fallback = FallbackGeocoder(_nominatim(nominatim.port, timeout=2), geo.offline, clock=clock)
    nominatim.answer(status=status, body=body)
    location = fallback.geocode(MAWAR)
    assert (location.raw["kind"], location.raw["name"]) == ("kelurahan", "Sungaijawi Luar")
    fallback.geocode(MAWAR)
    assert len(nominatim.paths) == 1           # a failure pauses the server


def test_a_slow_server_times_out_and_falls_back(geo, nominatim):
    nominatim.hold = True                      # answers only when the test releases it
    fallback = FallbackGeocoder(_nominatim(nominatim.port, timeout=0.3), geo.offline, clock=Clock())
    location = fallback.geocode(MAWAR)
    nominatim.release.set()
    assert location.raw["name"] == "Sungaijawi Luar"
    assert len(nominatim.paths) == 1


def test_the_app_waits_for_a_slow_server_only_once(nominatim):
    nominatim.hold = True
    geo = Geo(nominatim_url=f"http://127.0.0.1:{nominatim.port}", nominatim_timeout_s=0.3)
    location = geo.geocoder.geocode(MAWAR)
    nominatim.release.set()
    assert location.raw["name"] == "Sungaijawi Luar"
    assert len(nominatim.paths) == 1


def test_coordinates_and_typing_never_wait_for_the_server(geo, nominatim):
    fallback = FallbackGeocoder(_nominatim(nominatim.port, timeout=2), geo.offline, clock=Clock())
    nominatim.answer([ANTONIUS_BY_SERVER])
    assert fallback.geocode("-0.0202, 109.3268").raw["kind"] == "coordinates"
    offered = [loc.raw["name"] for loc in fallback.geocode("RS Anto", exactly_one=False, typing=True)]
    assert "RSU Santo Antonius" in offered
    assert fallback.geocode("") is None
    assert nominatim.paths == []


def test_fallback_reverse_is_offline(geo, nominatim):
    fallback = FallbackGeocoder(_nominatim(nominatim.port, timeout=2), geo.offline, clock=Clock())
    assert fallback.reverse((-0.020211, 109.326778)).address == "RSU Santo Antonius"
    assert nominatim.paths == []
