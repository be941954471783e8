"""The app's geography from settings (dispatch/core/geo.py): the offline defaults, a geocoding
server and an OSRM server with their fallbacks, and zones that follow an import."""
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from geopy.distance import geodesic
from openlocationcode import openlocationcode as olc

from conftest import make_config
from dispatch import create_app
from dispatch.core import zones
from dispatch.core.geo import Geo
from dispatch.extensions import db
from dispatch.geo.geocoder import FallbackGeocoder, OfflineGeocoder
from dispatch.geo.roads import GraphTravelTime
from dispatch.geo.travel import OsrmTravelTime, RiverAwareTravelTime


class Stub:
    """A real HTTP server on 127.0.0.1 answering with ``answer(path) -> (status, body)``."""

    def __init__(self, answer):
        self.paths = []
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's name)
                stub.paths.append(self.path)
                status, body = answer(self.path)
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def stub():
    servers = []

    def start(answer):
        servers.append(Stub(answer))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def closed_port_url():
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    port = server.server_port
    server.server_close()
    return f"http://127.0.0.1:{port}"


def test_defaults_are_offline():
    geo = Geo()
    assert isinstance(geo.geocoder, OfflineGeocoder) and isinstance(geo.travel, GraphTravelTime)
    assert geo.zones.source == "shipped" and geo.travel_status == "graph"


@pytest.mark.parametrize("content, why", [
    (None, "FileNotFoundError"),
    ("{not json", "JSONDecodeError"),
    ('{"nodes": [[0, 109.3], [0.01, 109.31]], "edges": [[0, 7, "lokal", 100, []]]}', "bad edge"),
    ('{"nodes": [], "edges": []}', "no nodes"),
    ('[1, 2]', "TypeError"),
])
def test_a_missing_or_broken_road_graph_falls_back_to_the_river_model_and_says_so(
        tmp_path, database_url, caplog, content, why):
    path = tmp_path / "roads.json"
    if content is not None:
        path.write_text(content)
    app = create_app(make_config(database_url, ROAD_GRAPH_FILE=str(path)))
    geo = app.extensions["psc_geo"]
    assert isinstance(geo.travel, RiverAwareTravelTime)
    assert geo.travel_status.startswith(f"river: the road graph {path} cannot be used") and why in geo.travel_status
    assert why in caplog.text and "river-aware model" in caplog.text
    health = app.test_client().get("/api/health").get_json()
    assert health["status"] == "ok" and health["travel"] == geo.travel_status


def test_the_road_graph_can_be_switched_off_and_its_speeds_set(database_url):
    geo = create_app(make_config(database_url, ROAD_GRAPH_FILE="off")).extensions["psc_geo"]
    assert isinstance(geo.travel, RiverAwareTravelTime) and geo.travel_status == "river: switched off (ROAD_GRAPH_FILE=off)"
    speeds = '{"lain": [10, 10, 10, 10, 10]}'
    geo = create_app(make_config(database_url, ROAD_SPEEDS_KMH=speeds)).extensions["psc_geo"]
    assert geo.travel.class_kmh["lain"] == (10.0,) * 5 and geo.travel.class_kmh["arteri"] == (44, 26, 33, 24, 35)


@pytest.mark.parametrize("speeds, said", [
    ("{oops", "not JSON"),
    ('{"tol": [50, 50, 50, 50, 50]}', "unknown road class 'tol'"),
    ('{"arteri": [50, 50]}', "arteri: 5 speeds"),
    ('{"arteri": [50, 50, 0, 50, 50]}', "arteri: 5 speeds"),
    ('[40]', "a JSON object"),
])
def test_bad_road_speeds_refuse_to_start_naming_the_setting(database_url, speeds, said):
    with pytest.raises(RuntimeError, match="ROAD_SPEEDS_KMH") as raised:
        create_app(make_config(database_url, ROAD_SPEEDS_KMH=speeds))
    assert said in str(raised.value)


def test_settings_plug_in_servers(database_url):
    app = create_app(make_config(database_url, NOMINATIM_URL="http://10.1.2.3:8080", OSRM_URL="http://10.1.2.3:5000",
                                 POSITION_MAX_AGE_S=300, ALS_PREFERENCE_S=60, TRAVEL_DETOUR_FACTOR=1.5))
    geo = app.extensions["psc_geo"]
    assert isinstance(geo.geocoder, FallbackGeocoder) and geo.geocoder.server.domain == "10.1.2.3:8080"
    assert isinstance(geo.travel, OsrmTravelTime) and geo.travel.base_url == "http://10.1.2.3:5000"
    assert isinstance(geo.travel.fallback, GraphTravelTime) and geo.travel_status == "osrm+graph"
    app = create_app(make_config(database_url, ROAD_GRAPH_FILE="off", TRAVEL_DETOUR_FACTOR=1.5))
    assert app.extensions["psc_geo"].travel.detour == 1.5
    assert (geo.position_max_age_s, geo.als_preference_s) == (300, 60)


def test_call_is_geocoded_offline_when_the_geocoding_server_is_down(app, world):
    app.extensions["psc_geo"] = Geo(nominatim_url=closed_port_url(), nominatim_timeout_s=0.5)
    resp = world.post("op", "/api/calls", {"caller_phone": "0811-573-001", "location_text": "depan RS Antonius"})
    inc = resp.get_json()["incident"]
    assert inc["location_source"] == "gazetteer" and inc["location_name"] == "RSU Santo Antonius"


def test_call_is_geocoded_by_the_server_when_it_answers(app, world, stub):
    server = stub(lambda path: (200, [{"lat": "-0.0366", "lon": "109.3135", "display_name": "Jalan Merdeka, Pontianak",
                                       "importance": 0.5, "place_id": 1, "osm_type": "way", "osm_id": 2,
                                       "boundingbox": ["-0.04", "-0.03", "109.31", "109.32"]}]))
    app.extensions["psc_geo"] = Geo(nominatim_url=server.url)
    body = world.post("op", "/api/calls", {"caller_phone": "0811-573-001", "location_text": "Jl. Merdeka"}).get_json()
    inc = body["incident"]
    assert inc["location_source"] == "server" and inc["location_name"] == "Jalan Merdeka, Pontianak"
    assert inc["kecamatan"] == "Pontianak Kota"
    assert server.paths and server.paths[0].startswith("/search?")


def osrm_answer(path):
    coords = path.split("/table/v1/driving/")[1].split("?")[0].split(";")
    n = len(coords) - 1
    return 200, {"code": "Ok", "durations": [[111.0]] * n, "distances": [[999.0]] * n}


def test_recommendation_uses_osrm_when_it_answers_and_the_road_graph_when_not(app, world, stub):
    server = stub(osrm_answer)
    app.extensions["psc_geo"] = Geo(osrm_url=server.url)
    incident = world.new_incident()["id"]
    body = world.get("op", f"/api/incidents/{incident}/recommendations").get_json()
    assert body["estimated_by"] == "osrm"
    assert {(i["eta_s"], i["distance_m"]) for i in body["items"]} == {(111, 999)}
    app.extensions["psc_geo"] = Geo(osrm_url=closed_port_url(), osrm_timeout_s=0.5)
    body = world.get("op", f"/api/incidents/{incident}/recommendations").get_json()
    assert body["estimated_by"] == "graph" and body["items"] and body["items"][0]["eta_s"] != 111


def test_zones_follow_an_import_and_a_reset(app, session):
    geo = app.extensions["psc_geo"]
    square = [[109.30, -0.05], [109.35, -0.05], [109.35, 0.0], [109.30, 0.0], [109.30, -0.05]]
    data = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "Uji", "kind": "kecamatan"},
         "geometry": {"type": "Polygon", "coordinates": [square]}}]}
    with app.app_context():
        before = geo.refresh_zones(db.session)
        assert before.source == "shipped" and geo.refresh_zones(db.session) is before  # cached
        zones.import_zones(session, data=data, source="uji.geojson")
        db.session.rollback()  # a new request: a new snapshot
        imported = geo.refresh_zones(db.session)
        assert imported.source == "uji.geojson" and [z.name for z in imported.kecamatan] == ["Uji"]
        zones.reset_zones(session)
        db.session.rollback()
        assert geo.refresh_zones(db.session).source == "shipped"


def test_short_plus_codes_anywhere_in_the_service_area_are_recovered_there():
    """The geocoder recovers short plus codes around the city's centre: a code with its first four
    characters dropped (as Google Maps shows it beside "Pontianak") is found again at every corner of
    the service area and beyond it into Kubu Raya."""
    geo = Geo()
    assert geo.zones.lookup(*geo.offline.reference).inside
    minx, miny, maxx, maxy = geo.zones.service_area.bounds
    for lat in (miny - 0.1, miny, maxy, maxy + 0.1):
        for lon in (minx - 0.1, minx, maxx, maxx + 0.1):
            short = olc.encode(lat, lon, 11)[4:]
            raw = geo.geocoder.geocode(short).raw
            assert raw["match"] == "plus_code" and geodesic((raw["lat"], raw["lon"]), (lat, lon)).meters < 3
