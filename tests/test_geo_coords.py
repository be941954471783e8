"""Strict coordinate parsing: what operators type or paste, what must stay an address,
and what is clearly meant as coordinates but unusable."""
import math
import warnings

import pytest
from geopy.distance import geodesic
from openlocationcode import openlocationcode as olc

from dispatch.geo.coords import CoordinateError, ParsedCoordinates, parse_coordinates
from dispatch.geo.pluscodes import PONTIANAK

DMS_LAT = -(1 / 60 + 12 / 3600)          # 0°01'12" S
DMS_LON = 109 + 19 / 60 + 36 / 3600      # 109°19'36" E
PRECISE_LAT = -(1 / 60 + 12.3 / 3600)    # 0°01'12.3" S
PRECISE_LON = 109 + 19 / 60 + 36.4 / 3600  # 109°19'36.4" E

ACCEPTED = [
    # decimal degrees, latitude first
    ("-0.0202, 109.3268", -0.0202, 109.3268, "decimal"),
    ("-0.0202 109.3268", -0.0202, 109.3268, "decimal"),
    ("-0.0202;109.3268", -0.0202, 109.3268, "decimal"),
    ("-0.0202,109.3268", -0.0202, 109.3268, "decimal"),
    ("  (-0.0202, 109.3268)  ", -0.0202, 109.3268, "decimal"),
    ("[-0.0202, 109.3268]", -0.0202, 109.3268, "decimal"),
    ("+0.0123 109.3268", 0.0123, 109.3268, "decimal"),
    ("−0.0202, 109.3268", -0.0202, 109.3268, "decimal"),  # unicode minus
    ("lat -0.0202 lon 109.3268", -0.0202, 109.3268, "decimal"),
    ("lat: -0.0202, lng: 109.3268", -0.0202, 109.3268, "decimal"),
    ("Latitude=-0.0202 Longitude=109.3268", -0.0202, 109.3268, "decimal"),
    ("lintang -0.0202 bujur 109.3268", -0.0202, 109.3268, "decimal"),
    ("lon 109.3268 lat -0.0202", -0.0202, 109.3268, "decimal"),  # labels decide
    ("-0.0202° 109.3268°", -0.0202, 109.3268, "decimal"),
    ("0° 109.3268", 0.0, 109.3268, "decimal"),
    # Indonesian decimal commas, with a space, a semicolon or a comma and a space between the numbers
    ("-0,0202 109,3268", -0.0202, 109.3268, "decimal"),
    ("-0,0202; 109,3268", -0.0202, 109.3268, "decimal"),
    ("-0,0263, 109,3425", -0.0263, 109.3425, "decimal"),
    ("-0,0263 109,3425", -0.0263, 109.3425, "decimal"),
    ("-0,0263 , 109,3425", -0.0263, 109.3425, "decimal"),
    ("lat -0,0263 long 109,3425", -0.0263, 109.3425, "decimal"),
    ("Lintang: -0,0263, Bujur: 109,3425", -0.0263, 109.3425, "decimal"),
    ("-0.0263, 109,3425", -0.0263, 109.3425, "decimal"),   # one of each, but the comma and space split them
    ("0,0263 LS 109,3425 BT", -0.0263, 109.3425, "dms"),
    ("0,0263 LS, 109,3425 BT", -0.0263, 109.3425, "dms"),  # a comma after a letter is a separator
    # the hemisphere in Indonesian words and letters
    ("0,0263 Lintang Selatan 109,3425 Bujur Timur", -0.0263, 109.3425, "dms"),
    ("LINTANG SELATAN 0,0263 BUJUR TIMUR 109,3425", -0.0263, 109.3425, "dms"),
    ("0.0263 lintang utara, 109.3425 bujur timur", 0.0263, 109.3425, "dms"),
    ("0,0263 selatan 109,3425 timur", -0.0263, 109.3425, "dms"),
    ("0,0263 S 109,3425 T", -0.0263, 109.3425, "dms"),
    ("0,0263 U 109,3425 T", 0.0263, 109.3425, "dms"),
    ("U 0.0263 T 109.3425", 0.0263, 109.3425, "dms"),
    ("0,0263 LS 109,3425 B", -0.0263, -109.3425, "dms"),     # B (barat) after its number
    ("0.0263 LU 109.3425 bujur barat", 0.0263, -109.3425, "dms"),
    ("0°01'12\" Lintang Selatan 109°19'36\" Bujur Timur", DMS_LAT, DMS_LON, "dms"),
    # hemisphere letters, decimal degrees and degrees-minutes-seconds
    ("0°01'12.3\"S 109°19'36.4\"E", PRECISE_LAT, PRECISE_LON, "dms"),
    ("0° 1' 12\" S, 109° 19' 36\" E", DMS_LAT, DMS_LON, "dms"),
    ("S 0° 1' 12\" E 109° 19' 36\"", DMS_LAT, DMS_LON, "dms"),
    ("S 0° 1' 12\", E 109° 19' 36\"", DMS_LAT, DMS_LON, "dms"),
    ("0.0202° S 109.3268° E", -0.0202, 109.3268, "dms"),
    ("0.0202 S, 109.3268 E", -0.0202, 109.3268, "dms"),
    ("0.0202S 109.3268E", -0.0202, 109.3268, "dms"),
    ("0.0202 s 109.3268 e", -0.0202, 109.3268, "dms"),
    ("0.0123 N 109.3268 E", 0.0123, 109.3268, "dms"),
    ("0°01′12″S 109°19′36″E", DMS_LAT, DMS_LON, "dms"),
    ("0°01'12''S 109°19'36''E", DMS_LAT, DMS_LON, "dms"),
    ("0°01’12”S 109°19’36”E", DMS_LAT, DMS_LON, "dms"),
    ("0º01'12\"S 109º19'36\"E", DMS_LAT, DMS_LON, "dms"),
    ("0°01.2' S 109°19.6' E", DMS_LAT, DMS_LON, "dms"),
    ("0°01'12\" LS 109°19'36\" BT", DMS_LAT, DMS_LON, "dms"),
    ("LU 0°01'12\" BT 109°19'36\"", -DMS_LAT, DMS_LON, "dms"),
    ("0°01'12\" LS 109°19'36\" BB", DMS_LAT, -DMS_LON, "dms"),
    ("0°01'12,5\" LS; 109°19'36\" BT", -(1 / 60 + 12.5 / 3600), DMS_LON, "dms"),
    ("109°19'36\"E 0°01'12\"S", DMS_LAT, DMS_LON, "dms"),  # letters decide the order
    ("109.3268 E, 0.0202 S", -0.0202, 109.3268, "dms"),
    ("90° N 180° W", 90.0, -180.0, "dms"),
    # Google Maps
    ("https://www.google.com/maps/place/RS+Antonius/@-0.0202106,109.3267782,17z/data=!4m2!3m1!1s0x0",
     -0.0202106, 109.3267782, "google_maps"),
    ("https://www.google.com/maps/place/RS+Antonius/@-0.0301,109.3001,17z/data=!3m1!4b1!4m6!3m5!1s0x0:0x0"
     "!8m2!3d-0.0202106!4d109.3267782", -0.0202106, 109.3267782, "google_maps"),
    ("https://www.google.com/maps/place/RS+Antonius/data=!3m1!4b1!4m6!3m5!1s0x0:0x0!8m2!3d-0.0202106!4d109.3267782",
     -0.0202106, 109.3267782, "google_maps"),
    ("https://maps.google.com/?q=-0.0202,109.3268", -0.0202, 109.3268, "google_maps"),
    ("https://www.google.com/maps?q=-0.0202,109.3268", -0.0202, 109.3268, "google_maps"),
    ("https://www.google.co.id/maps?q=-0.0202,109.3268", -0.0202, 109.3268, "google_maps"),
    ("https://maps.google.com/?ll=-0.02,109.33", -0.02, 109.33, "google_maps"),
    ("https://maps.google.com/?q=loc:-0.02,109.33", -0.02, 109.33, "google_maps"),
    ("https://maps.google.com/?q=-0.02,+109.33", -0.02, 109.33, "google_maps"),
    ("https://www.google.com/maps/search/?api=1&query=-0.0202%2C109.3268", -0.0202, 109.3268, "google_maps"),
    ("https://www.google.com/maps/dir/?api=1&destination=-0.02,109.33", -0.02, 109.33, "google_maps"),
    ("https://www.google.com/maps/@-0.0202,109.3268,15z", -0.0202, 109.3268, "google_maps"),
    ("https://www.google.com/maps/place/0%C2%B001'12.3%22S+109%C2%B019'36.4%22E/@-0.03,109.3,17z",
     PRECISE_LAT, PRECISE_LON, "google_maps"),
    ("maps.google.com/?q=-0.0202,109.3268", -0.0202, 109.3268, "google_maps"),
    ("lokasi: https://maps.google.com/?q=-0.02,109.33 pak", -0.02, 109.33, "google_maps"),
    ("di sini (https://www.google.com/maps?q=-0.02,109.33).", -0.02, 109.33, "google_maps"),
    # OpenStreetMap
    ("https://www.openstreetmap.org/#map=17/-0.02021/109.32678", -0.02021, 109.32678, "openstreetmap"),
    ("https://www.openstreetmap.org/#map=17/-0.02021/109.32678&layers=H", -0.02021, 109.32678, "openstreetmap"),
    ("https://www.openstreetmap.org/?mlat=-0.02021&mlon=109.32678#map=17/-0.03/109.30",
     -0.02021, 109.32678, "openstreetmap"),
    ("https://openstreetmap.org/?lat=-0.02021&lon=109.32678&zoom=17", -0.02021, 109.32678, "openstreetmap"),
    ("https://osm.org/#map=17/-0.02021/109.32678", -0.02021, 109.32678, "openstreetmap"),
    ("titik https://www.osm.org/?mlat=-0.02021&mlon=109.32678 ya", -0.02021, 109.32678, "openstreetmap"),
    # geo URIs
    ("geo:-0.0202,109.3268", -0.0202, 109.3268, "geo_uri"),
    ("geo:-0.0202,109.3268?z=17", -0.0202, 109.3268, "geo_uri"),
    ("geo:-0.0202,109.3268,12;u=35", -0.0202, 109.3268, "geo_uri"),
    ("geo:0,0?q=-0.0202,109.3268(RS)", -0.0202, 109.3268, "geo_uri"),
    ("geo:0,0?q=-0.0202,109.3268(RS Antonius)", -0.0202, 109.3268, "geo_uri"),
    ("GEO:-0.0202,109.3268", -0.0202, 109.3268, "geo_uri"),
    ("pasien di geo:-0.0202,109.3268 depan toko", -0.0202, 109.3268, "geo_uri"),
]


@pytest.mark.parametrize("text, lat, lon, format", ACCEPTED)
def test_accepted(text, lat, lon, format):
    result = parse_coordinates(text)
    assert isinstance(result, ParsedCoordinates)
    assert (result.lat, result.lon) == pytest.approx((lat, lon), abs=1e-6)
    assert result.format == format
    assert math.isfinite(result.lat) and math.isfinite(result.lon)


NOT_COORDINATES = [
    "", "   ", "RS Antonius", "Jl. Gajah Mada", "Gg. Mawar 5 / 12", "Jl. Tanjung Raya 2 No. 15",
    "Jl. Ahmad Yani 12 RT 3 RW 5", "RT 03 RW 01", "RT 03/RW 01", "No. 12, 3", "0811-573-119",
    "0811 573 119", "+62 811 573 119", "0811.573.119", "Jl. Ahmad Yani Km 5,5", "Pal 5", "Pal V",
    "RS Antonius 5 12", "Blok E 12", "Komp. Bali Agung 3 Blok S 7",
    "5 12", "12 3", "5, 12", "5,12", "12,3", "-5 109", "0 S 109 E",  # no decimal fraction, no degree sign
    "1.5", "-0.02", "0°01'12\"S",  # one number
    "1.5 2.5 3.5", "-0.0202-109.3268", "-0.0202 / 109.3268", "-0.0202, 109.3268.", "-0. 109.33",
    "nan, nan", "nan 109.33", "inf, 109.33", "-0.02, infinity", "1e400 109.33", "-0.02 1.09e2", "2E-2, 109.33",
    "lokasi -0.0202, 109.3268",  # words around plain coordinates
    "B 109,3425 S 0,0263",   # B in front of a number may be "bujur": not read as barat
    "0811+573119", "RT 2+3", "Jl. S. Parman 12+3", "dekat X89R+M masjid",  # no plus code (an invalid one mid-text)
    "1+1", "WC+2",
    "https://www.google.com/search?q=-0.02,109.33", "https://example.com/@-0.02,109.33",
    "x" * 501, "-0.0202, 109.3268" + " " * 490 + "x",
]


@pytest.mark.parametrize("text", NOT_COORDINATES)
def test_not_coordinates(text):
    assert parse_coordinates(text) is None


def test_longer_than_max_is_none():
    assert parse_coordinates("-0.0202, 109.3268" + " " * 500 + "1") is None


ERRORS = [
    # a sign and a hemisphere letter on one number
    ("-0.02 S 109.33 E", "not both", "jangan keduanya"),
    ("-0°01'12\"S 109°19'36\"E", "not both", "jangan keduanya"),
    ("0.02 S -109.33 E", "not both", "jangan keduanya"),
    ("S -0.02 E 109.33", "not both", "jangan keduanya"),
    # letters that do not make one latitude and one longitude
    ("0.02 S 109.33 N", "latitude", "lintang"),
    ("0.02 LS 109.33 LU", "latitude", "lintang"),
    ("0.02 E 109.33 W", "longitude", "bujur"),
    ("S 0.02 S, E 109.33", "more than one", "lebih dari satu"),
    ("0.02 S 109.33", "both numbers or on neither", "kedua angka"),
    ("lat 0.02 E, 109.33 N", "contradicts", "bertentangan"),
    # minutes and seconds
    ("0°75'0\"S 109°19'36\"E", "Minutes must be less than 60", "Menit"),
    # minutes and seconds with neither letters nor a sign: north or south would be a guess
    ("0°01'12\" 109°19'36\"", "need hemisphere letters", "huruf arah"),
    ("0°01'60\"S 109°19'36\"E", "Seconds must be less than 60", "Detik"),
    ("0.5°30' S 109.3° E", "decimals", "desimal"),
    # range
    ("-91.0, 109.33", "Latitude -91.0 is outside", "Lintang -91.0 di luar rentang -90..90"),
    ("91° N 109° E", "Latitude", "Lintang"),
    ("-0.02, 181.5", "Longitude 181.5 is outside", "Bujur 181.5 di luar rentang"),
    ("1" + "0" * 400 + ".0, 1.0", "Latitude", "Lintang"),
    # longitude first without letters or labels
    ("109.3268, -0.0202", "Latitude comes first", "Lintang ditulis lebih dulu"),
    ("109.3268 -0.0202", "Latitude comes first", "Lintang ditulis lebih dulu"),
    # a comma directly between the digits of decimal-comma numbers: which comma splits them is not written
    ("-0,0202,109,3268", "Ambiguous", "ambigu"),
    ("-0,0263,109,3425", "put a space after the comma", "beri spasi"),
    ("-0.0263,109,3425", "Ambiguous", "ambigu"),
    ("-0,0263,109.3425", "Ambiguous", "ambigu"),
    # plus codes that cannot be used
    ("X89R+M", "not a valid plus code", "bukan kode plus"),
    ("6PFFX89R+M", "not a valid plus code", "bukan kode plus"),
    ("X80R+M5", "not a valid plus code", "bukan kode plus"),
    ("XXXXXXXX+XX", "not a valid plus code", "bukan kode plus"),
    ("plus code: X89R+M Pontianak", "not a valid plus code", "bukan kode plus"),
    ("9R+M52", "too short", "terlalu pendek"),
    ("6PFFX800+", "covers about 5.6 km", "sekitar 5,6 km"),
    ("6PFF0000+", "covers about", "kode lengkapnya"),
    # links
    ("https://maps.app.goo.gl/AbC123", "open the link", "buka tautannya"),
    ("https://goo.gl/maps/x", "open the link", "buka tautannya"),
    ("https://osm.org/go/0BOdUs9", "open the link", "buka tautannya"),
    ("lokasi https://maps.app.goo.gl/AbC123 pak", "open the link", "buka tautannya"),
    ("https://www.google.com/maps/place/RS+Antonius", "no coordinates", "tidak memuat koordinat"),
    ("https://maps.google.com/?q=RS+Antonius+Pontianak", "no coordinates", "tidak memuat koordinat"),
    ("https://www.openstreetmap.org/node/123456", "no coordinates", "tidak memuat koordinat"),
    ("geo:0,0?q=Jl+Gajah+Mada", "no coordinates", "tidak memuat koordinat"),
    ("geo:nan,nan", "no coordinates", "tidak memuat koordinat"),
    ("https://maps.google.com/?q=nan,nan", "no coordinates", "tidak memuat koordinat"),
    ("https://www.google.com/maps/@inf,109.33,15z", "no coordinates", "tidak memuat koordinat"),
    ("https://www.openstreetmap.org/?mlat=1e400&mlon=109.3", "no coordinates", "tidak memuat koordinat"),
    ("https://maps.google.com/?q=-91.0,109.33", "Latitude -91.0 is outside", "Lintang -91.0"),
    ("geo:-0.02,200.5", "Longitude 200.5 is outside", "Bujur 200.5"),
    ("https://www.google.com/maps/@109.33,-0.02,15z", "Latitude comes first", "Lintang ditulis lebih dulu"),
    ("https://www.openstreetmap.org/#map=17/109.32678/-0.02021", "Latitude comes first", "Lintang"),
]


@pytest.mark.parametrize("text, english, indonesian", ERRORS)
def test_coordinate_errors(text, english, indonesian):
    with pytest.raises(CoordinateError) as caught:
        parse_coordinates(text)
    assert english in str(caught.value)
    assert indonesian in caught.value.message_id
    assert isinstance(caught.value, ValueError)


ADVERSARIAL = [
    "1." * 250, "1," * 250, "1 " * 250, "-0.0202 " + "S " * 240 + "109.3268", "0°" * 250, "0°1'" * 125,
    "(" * 250 + ")" * 250, "a." * 249 + "!", "1" * 500, "' " * 250, "lat " * 125,
    "https://www.google.com/maps/@" + "1" * 470, "https://www.google.com/maps/" + "!3d1" * 118,
    "https://www.google.com/maps/" + "@1," * 157, "geo:" + "1" * 496, "geo:0,0?q=" + "(" * 490,
    "https://www.openstreetmap.org/#map=" + "1/" * 230, "maps.google.com/" + "%2C" * 160,
    "+" * 500, "X89R+" * 100, "X89R+M52" * 62, "6PFFX89R+M52 " * 38, "0+" * 250, "X89R+M52+" * 55,
]


@pytest.mark.parametrize("text", ADVERSARIAL)
def test_adversarial_input_returns(text):
    assert len(text) <= 500
    try:
        result = parse_coordinates(text)
    except CoordinateError:
        return
    assert result is None or (math.isfinite(result.lat) and math.isfinite(result.lon))


# Why we do not use geopy's Point: it reads the last two numbers of any text and
# negates twice when a sign and a hemisphere letter both appear.
GEOPY_MISREADS = [
    ("Gg. Mawar 5 / 12", (5.0, 12.0)),
    ("RS Antonius 5 12", (5.0, 12.0)),
    ("12 3", (12.0, 3.0)),
    ("-0.02 S 109.33 E", (0.02, 109.33)),
]


@pytest.mark.parametrize("text, geopy_reading", GEOPY_MISREADS)
def test_geopy_point_would_misread(text, geopy_reading):
    from geopy.point import Point

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        point = Point(text)
    assert (point.latitude, point.longitude) == pytest.approx(geopy_reading)
    try:
        assert parse_coordinates(text) is None
    except CoordinateError:
        pass


# --- plus codes ------------------------------------------------------------------------------------

# Places whose plus codes the tests work out with the reference library: RSU Santo Antonius, Tugu
# Khatulistiwa (north of the equator: its codes start 6PGF, not 6PFF) and RSUD dr. Soedarso.
PLUS_CODE_PLACES = [(-0.0202106, 109.3267782), (0.0007, 109.3215), (-0.06158, 109.36463)]


@pytest.mark.parametrize("lat, lon", PLUS_CODE_PLACES)
@pytest.mark.parametrize("length, accuracy_m", [(10, 14), (11, 3)])
def test_plus_codes_of_a_point_give_that_point(lat, lon, length, accuracy_m):
    full = olc.encode(lat, lon, length)
    short = olc.shorten(full, *PONTIANAK)            # what Google Maps shows: "X8HG+WP Pontianak"
    assert len(short.split("+")[0]) == 4
    for text in (full, full.lower(), short, short.lower(), f"{short} Pontianak", f"{short}, Pontianak, Kalimantan Barat",
                 f"lokasi {full} pak", f"https://plus.codes/{full}", f"({short})"):
        found = parse_coordinates(text)
        assert found.format == "plus_code", text
        assert geodesic((found.lat, found.lon), (lat, lon)).meters <= accuracy_m, text
        assert found.accuracy_m == accuracy_m


def test_a_literal_short_code_written_down_once():
    # Worked out once with the reference library: X89R+M52 near Pontianak is 6PFFX89R+M52, the 3 m by
    # 3.5 m cell centred on -0.0308625, 109.340390625 (Darat Sekip, by Jl. Gajah Mada).
    for text in ("X89R+M52", "x89r+m52", "X89R+M52 Pontianak", "6PFFX89R+M52", "X89R+M52, Darat Sekip, Kota Pontianak"):
        found = parse_coordinates(text)
        assert (found.lat, found.lon) == pytest.approx((-0.0308625, 109.340390625), abs=1e-7), text
        assert (found.format, found.accuracy_m) == ("plus_code", 3)
    ten = parse_coordinates("X89R+M5")
    assert (ten.lat, ten.lon, ten.accuracy_m) == (pytest.approx(-0.0308125), pytest.approx(109.3404375), 14)


def test_a_short_code_is_recovered_relative_to_the_reference():
    near_jakarta = parse_coordinates("X89R+M52", reference=(-6.2, 106.8))
    assert abs(near_jakarta.lat + 6.2) < 0.5 and abs(near_jakarta.lon - 106.8) < 0.5
    assert parse_coordinates("6PFFX89R+M52", reference=(-6.2, 106.8)).lat == pytest.approx(-0.0308625)


@pytest.mark.parametrize("text", ["https://www.google.com/maps/search/?api=1&query=X89R%2BM52",
                                  "https://www.google.com/maps/place/X89R%2BM52+Pontianak"])
def test_a_google_maps_link_to_a_plus_code(text):
    found = parse_coordinates(text)
    assert (found.lat, found.lon, found.accuracy_m) == (pytest.approx(-0.0308625), pytest.approx(109.340390625), 3)


def test_an_eight_character_code_is_as_coarse_as_it_says():
    found = parse_coordinates("6PFFX89R+")
    assert 250 < found.accuracy_m < 300


def test_only_plus_codes_carry_an_accuracy():
    assert parse_coordinates("-0.0202, 109.3268").accuracy_m is None
    assert parse_coordinates("geo:-0.0202,109.3268").accuracy_m is None
