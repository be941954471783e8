"""Strict coordinate parsing: what operators type or paste, what must stay an address,
and what is clearly meant as coordinates but unusable."""
import math
import warnings

import pytest

from dispatch.geo.coords import CoordinateError, ParsedCoordinates, parse_coordinates

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
    # Indonesian decimal commas, with a space or semicolon between the numbers
    ("-0,0202 109,3268", -0.0202, 109.3268, "decimal"),
    ("-0,0202; 109,3268", -0.0202, 109.3268, "decimal"),
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
    # decimal commas with a comma between the numbers
    ("-0,0202, 109,3268", "Ambiguous", "ambigu"),
    ("-0,0202,109,3268", "Ambiguous", "ambigu"),
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
