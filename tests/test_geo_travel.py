"""dispatch.geo.travel: road travel time that knows the Kapuas and the Landak, and OSRM in front of it.

The river model puts each point on its bank; a trip between banks goes through Jembatan Kapuas I and/or
Jembatan Landak. OsrmTravelTime is tested against a real HTTP server on 127.0.0.1 that speaks OSRM's
``table`` service, and against that server failing in each way it can."""
import json
import logging
import socket
import threading
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import numpy as np
import pytest
import shapely

from dispatch.geo.distance import haversine_m
from dispatch.geo.rivers import RiverNetwork
from dispatch.geo.travel import DEFAULT_DETOUR, OsrmTravelTime, RiverAwareTravelTime
from dispatch.geo.zones import ZoneIndex

KAPUAS_I, LANDAK = "Jembatan Kapuas I", "Jembatan Landak"
UTC = timezone.utc
# WIB is UTC+7: the times below are given in UTC, as the app's clock gives them.
AT_03_WIB = datetime(2025, 3, 11, 20, 0, tzinfo=UTC)   # 03:00 WIB on 12 March: empty streets
AT_10_WIB = datetime(2025, 3, 12, 3, 0, tzinfo=UTC)    # 10:00 WIB
AT_17_WIB = datetime(2025, 3, 12, 10, 0, tzinfo=UTC)   # 17:00 WIB: evening rush

# Places (lat, lon), from dispatch/data/gazetteer.json and the reference notes.
SENG_HIE = (-0.0289456, 109.3437883)      # Pelabuhan Seng Hie, on the Kapuas, south-west bank
ALUN_KAPUAS = (-0.019572, 109.339459)     # Alun Kapuas, Pontianak Kota, south-west bank
KERATON = (-0.028865, 109.349895)         # Keraton Kadriah, Pontianak Timur, straight across the Kapuas
ANTONIUS = (-0.0202106, 109.3267782)      # RSU Santo Antonius, Pontianak Kota
MITRA_MEDIKA = (-0.0375206, 109.329468)   # RS Mitra Medika, south-west bank
SOEDARSO = (-0.0616, 109.3646)            # RSUD dr. Soedarso, south-west bank (Pontianak Tenggara)
KOTA = (-0.0366367, 109.3134841)          # kecamatan centroids
SELATAN = (-0.0557356, 109.3284658)
TIMUR = (-0.0374151, 109.3671148)
UTARA = (0.0079909, 109.3366461)
BARAT = (-0.0158143, 109.3008277)
SIANTAN_HULU = (0.000613, 109.3627522)
SAIGON = (-0.0405378, 109.3707546)


@pytest.fixture(scope="module")
def net():
    return RiverNetwork.shipped()


@pytest.fixture(scope="module")
def river(net):
    return RiverAwareTravelTime(net)


def straight(a, b):
    return float(haversine_m(a[0], a[1], b[0], b[1]))


def city_points(n, seed):
    """n random points inside the city (the shipped zones), fixed seed."""
    area = ZoneIndex.shipped().service_area
    rng = np.random.default_rng(seed)
    x0, y0, x1, y1 = area.bounds
    xs, ys = rng.uniform(x0, x1, 8 * n), rng.uniform(y0, y1, 8 * n)
    inside = shapely.contains_xy(area, xs, ys)
    return ys[inside][:n], xs[inside][:n]


# ---------------------------------------------------------------- the river model

@pytest.mark.parametrize("at", [AT_03_WIB, AT_10_WIB, AT_17_WIB], ids=["03:00 WIB", "10:00 WIB", "17:00 WIB"])
def test_the_unit_on_the_same_bank_beats_the_one_straight_across_the_kapuas(river, at):
    # The case: an incident at Pelabuhan Seng Hie. One unit waits at Keraton Kadriah, 700 m away
    # across the Kapuas; another at RS Mitra Medika, more than twice as far in a straight line but on the
    # same bank. The one across the river must drive round by Jembatan Kapuas I.
    units = [KERATON, MITRA_MEDIKA]
    assert straight(KERATON, SENG_HIE) < 1000 < 1.5 * 1000 < straight(MITRA_MEDIKA, SENG_HIE)
    lats, lons = np.array(units).T
    routes = river.to_point(lats, lons, *SENG_HIE, at=at)
    across, same = routes.route(0), routes.route(1)
    assert same.seconds < across.seconds
    assert int(np.argmin(routes.seconds)) == 1
    assert across.via == (KAPUAS_I,)
    assert same.via == ()
    assert across.metres > 3 * straight(KERATON, SENG_HIE)
    assert same.metres == pytest.approx(DEFAULT_DETOUR * straight(MITRA_MEDIKA, SENG_HIE))


def test_the_across_river_route_runs_via_the_bridge(river, net):
    # Road metres >= (unit -> near end of Kapuas I) + bridge + (far end -> incident): it really goes there.
    bridge = next(b for b in net.bridges if b.name == KAPUAS_I)
    route = river.route(*KERATON, *SENG_HIE, at=AT_10_WIB)
    via_bridge = straight(KERATON, bridge.ends["timur"]) + bridge.length_m + straight(bridge.ends["barat_daya"],
                                                                                      SENG_HIE)
    assert route.metres >= via_bridge
    assert route.metres == pytest.approx(DEFAULT_DETOUR * (via_bridge - bridge.length_m) + bridge.length_m)


@pytest.mark.parametrize("start, end, via", [
    (KOTA, UTARA, (KAPUAS_I, LANDAK)),
    (SELATAN, SIANTAN_HULU, (KAPUAS_I, LANDAK)),
    (BARAT, UTARA, (KAPUAS_I, LANDAK)),
    (SENG_HIE, UTARA, (KAPUAS_I, LANDAK)),       # only the Kapuas between them in a straight line
    (UTARA, KOTA, (LANDAK, KAPUAS_I)),
    (SIANTAN_HULU, SOEDARSO, (LANDAK, KAPUAS_I)),
    (TIMUR, UTARA, (LANDAK,)),
    (UTARA, SAIGON, (LANDAK,)),
    (KERATON, SIANTAN_HULU, (LANDAK,)),
    (TIMUR, SELATAN, (KAPUAS_I,)),
    (KOTA, SELATAN, ()),
    (UTARA, SIANTAN_HULU, ()),
])
def test_bridges_on_the_way_in_order(river, start, end, via):
    assert river.route(*start, *end, at=AT_10_WIB).via == via


def test_a_trip_across_both_rivers_is_longer_than_the_legs_it_cannot_avoid(river, net):
    # Kota -> Utara: a straight line is ~5.5 km; the road goes east to Kapuas I, north over the Landak.
    route = river.route(*KOTA, *UTARA, at=AT_10_WIB)
    assert route.metres > 2 * straight(KOTA, UTARA)
    landak = next(b for b in net.bridges if b.name == LANDAK)
    kapuas = next(b for b in net.bridges if b.name == KAPUAS_I)
    assert route.metres > (straight(KOTA, kapuas.ends["barat_daya"]) + kapuas.length_m
                           + straight(kapuas.ends["timur"], landak.ends["timur"]) + landak.length_m
                           + straight(landak.ends["utara"], UTARA))


def test_from_point_gives_the_same_time_and_distance_as_to_point(river):
    lats, lons = city_points(300, seed=3)
    for incident in (SENG_HIE, UTARA, TIMUR, SOEDARSO):
        inbound = river.to_point(lats, lons, *incident, at=AT_17_WIB)
        outbound = river.from_point(*incident, lats, lons, at=AT_17_WIB)
        np.testing.assert_allclose(outbound.seconds, inbound.seconds, rtol=1e-12)
        np.testing.assert_allclose(outbound.metres, inbound.metres, rtol=1e-12)


def test_from_point_lists_the_bridges_in_the_order_they_are_driven(river):
    # From an incident in Pontianak Utara to RSUD Soedarso on the south-west bank: Landak first.
    lats, lons = np.array([SOEDARSO, SIANTAN_HULU, SAIGON]).T
    outbound = river.from_point(*UTARA, lats, lons, at=AT_10_WIB)
    assert [outbound.via(i) for i in range(3)] == [(LANDAK, KAPUAS_I), (), (LANDAK,)]
    inbound = river.to_point(lats, lons, *UTARA, at=AT_10_WIB)
    assert [inbound.via(i) for i in range(3)] == [(KAPUAS_I, LANDAK), (), (LANDAK,)]


def test_a_route_takes_as_long_both_ways(river):
    lats, lons = city_points(400, seed=11)
    for i in range(0, 400, 2):
        a, b = (lats[i], lons[i]), (lats[i + 1], lons[i + 1])
        there, back = river.route(*a, *b, at=AT_17_WIB), river.route(*b, *a, at=AT_17_WIB)
        assert there.seconds == pytest.approx(back.seconds, rel=1e-9)
        assert there.metres == pytest.approx(back.metres, rel=1e-9)
        assert there.via == tuple(reversed(back.via))


@pytest.mark.parametrize("start, end", [(KOTA, SELATAN), (SENG_HIE, KERATON), (KOTA, UTARA), (TIMUR, UTARA)])
def test_evening_rush_is_slower_than_the_night(river, start, end):
    night = river.route(*start, *end, at=AT_03_WIB)
    rush = river.route(*start, *end, at=AT_17_WIB)
    assert rush.metres == night.metres  # the same road
    assert rush.seconds > 1.5 * night.seconds


def test_the_time_of_day_is_read_in_wib_whatever_the_zone_of_the_datetime(river):
    wib = timezone(timedelta(hours=7))
    same_moment = [AT_17_WIB, AT_17_WIB.astimezone(wib), AT_17_WIB.astimezone(timezone(timedelta(hours=-5)))]
    seconds = {river.route(*KOTA, *UTARA, at=at).seconds for at in same_moment}
    assert len(seconds) == 1
    # 17:00 UTC is midnight in Pontianak: a night-time speed, not the evening rush.
    assert river.route(*KOTA, *UTARA, at=datetime(2025, 3, 12, 17, 0, tzinfo=UTC)).seconds < min(seconds)


def test_bridges_add_delay_at_rush_hour(river):
    # Compare the night/rush ratio of a trip over two bridges with a same-bank trip: at rush hour the
    # queues on the bridges come on top of the slower streets.
    def ratio(a, b):
        return river.route(*a, *b, at=AT_17_WIB).seconds / river.route(*a, *b, at=AT_03_WIB).seconds

    same_bank = ratio(KOTA, SELATAN)
    two_bridges = ratio(KOTA, UTARA)
    assert two_bridges > same_bank * 1.1


def test_a_speed_table_sets_speed_and_bridge_delay():
    model = RiverAwareTravelTime(RiverNetwork.shipped(), speeds=((0, 24, 36.0, 300.0),))  # 10 m/s, 5 min/bridge
    for a, b, bridges in [(KOTA, SELATAN, 0), (SENG_HIE, KERATON, 1), (KOTA, UTARA, 2)]:
        route = model.route(*a, *b, at=AT_03_WIB)
        assert len(route.via) == bridges
        assert route.seconds == pytest.approx(route.metres / 10.0 + 300.0 * bridges)


@pytest.mark.parametrize("detour", [1.0, 1.2, 1.35, 2.0])
def test_same_bank_metres_are_the_detour_factor_times_the_straight_line(net, detour):
    model = RiverAwareTravelTime(net, detour=detour)
    lats, lons = city_points(200, seed=5)
    routes = model.to_point(lats, lons, *KOTA, at=AT_10_WIB)
    same = routes.banks == net.bank_of(*KOTA)
    assert same.sum() > 50
    np.testing.assert_allclose(routes.metres[same], detour * haversine_m(lats[same], lons[same], *KOTA), rtol=1e-12)
    assert (routes.metres[~same] > detour * haversine_m(lats[~same], lons[~same], *KOTA)).all()


@pytest.mark.parametrize("detour", [0.99, 0.5, 0.0, -1.0])
def test_a_detour_factor_below_one_is_refused(net, detour):
    with pytest.raises(ValueError, match="detour"):
        RiverAwareTravelTime(net, detour=detour)


def test_to_point_for_many_units_equals_route_one_by_one(river):
    lats, lons = city_points(1000, seed=7)
    lats, lons = np.append(lats, [1.5, -0.0366]), np.append(lons, [109.33, 109.3135])  # far away; a duplicate
    for incident in (SENG_HIE, UTARA, TIMUR):
        routes = river.to_point(lats, lons, *incident, at=AT_17_WIB)
        assert routes.seconds.shape == routes.metres.shape == (len(lats),)
        assert routes.estimated_by == "river"
        assert len(set(routes.banks.tolist())) >= 3
        for i in range(len(lats)):
            one = river.route(lats[i], lons[i], *incident, at=AT_17_WIB)
            assert one.seconds == pytest.approx(routes.seconds[i], rel=1e-12)
            assert one.metres == pytest.approx(routes.metres[i], rel=1e-12)
            assert one.via == routes.via(i)


def test_an_empty_list_of_units_gives_empty_routes(river):
    routes = river.to_point(np.array([]), np.array([]), *SENG_HIE, at=AT_10_WIB)
    assert routes.seconds.shape == (0,) and routes.metres.shape == (0,)


# ---------------------------------------------------------------- OSRM against a real local HTTP server

def sent(point):
    """A point as the client sends it: 6 decimals."""
    return round(point[0], 6), round(point[1], 6)


def osrm_seconds(src, dst):
    """What the stub answers: depends on direction (source -> destination), so a swap would show."""
    src, dst = sent(src), sent(dst)
    return 2000.0 + straight(src, dst) / 10.0 + 1e4 * (src[0] - dst[0])


def osrm_metres(src, dst):
    src, dst = sent(src), sent(dst)
    return 1.25 * straight(src, dst) + 7.0


class Osrm:
    """A tiny OSRM ``table`` service on 127.0.0.1, in a thread. ``mode`` picks how it answers."""

    def __init__(self):
        self.mode = "ok"
        self.requests = []          # (path coordinates, query dict) of each request seen
        self.release = threading.Event()
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                url = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                prefix = "/table/v1/driving/"
                coords = [tuple(map(float, c.split(","))) for c in url.path[len(prefix):].split(";")]
                stub.requests.append((url.path[: len(prefix)], coords, query))
                stub.answer(self, coords, query)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02},
                                       daemon=True)
        self.thread.start()

    def answer(self, handler, coords, query):
        if self.mode == "slow":
            self.release.wait(30)  # until the test lets it go, after the client has given up:
            return                 # nobody is left to answer
        if self.mode == "500":
            return self.send(handler, 500, b'{"code":"InternalError"}')
        if self.mode == "garbage":
            return self.send(handler, 200, b"<html>502 Bad Gateway</html>")
        if self.mode == "not an object":
            return self.send(handler, 200, b'["Ok"]')
        if self.mode == "error code":
            return self.send(handler, 200, b'{"code":"NoTable","message":"No route found"}')
        latlon = [(lat, lon) for lon, lat in coords]
        sources = [int(i) for i in query["sources"].split(";")]
        destinations = [int(i) for i in query["destinations"].split(";")]
        durations = [[osrm_seconds(latlon[s], latlon[d]) for d in destinations] for s in sources]
        distances = [[osrm_metres(latlon[s], latlon[d]) for d in destinations] for s in sources]
        if self.mode == "null cell":
            durations[0][0] = distances[0][0] = None   # OSRM's answer for a pair it cannot route
            if len(durations) == 1:
                durations[0][-1] = distances[0][-1] = None
        elif self.mode == "one row short":
            durations, distances = durations[:-1], distances[:-1]
        elif self.mode == "transposed":
            durations, distances = [list(r) for r in zip(*durations)], [list(r) for r in zip(*distances)]
        elif self.mode == "square":  # as many numbers as asked for, but in 2 rows
            flat = [x for row in durations for x in row]
            durations = distances = [flat[: len(flat) // 2], flat[len(flat) // 2:]]
        elif self.mode == "strings":
            durations = [["fast"] * len(r) for r in durations]
        elif self.mode == "no distances":
            distances = None
        body = {"code": "Ok", "durations": durations, "sources": [], "destinations": []}
        if distances is not None:
            body["distances"] = distances
        self.send(handler, 200, json.dumps(body).encode())

    @staticmethod
    def send(handler, status, body):
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    def close(self):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


@pytest.fixture
def osrm():
    server = Osrm()
    yield server
    server.close()


UNITS = [KERATON, MITRA_MEDIKA, ANTONIUS, ALUN_KAPUAS, SOEDARSO, UTARA, SIANTAN_HULU, TIMUR, KOTA, BARAT]


def unit_arrays():
    lats, lons = np.array(UNITS).T
    return lats, lons


def test_osrm_numbers_replace_the_river_estimates_for_the_refined_units(river, osrm):
    model = OsrmTravelTime(osrm.url, fallback=river, timeout=5, refine=25)
    lats, lons = unit_arrays()
    routes = model.to_point(lats, lons, *SENG_HIE, at=AT_17_WIB)
    assert routes.estimated_by == "osrm"
    for i, unit in enumerate(UNITS):
        assert routes.seconds[i] == pytest.approx(osrm_seconds(unit, SENG_HIE), abs=0.01)
        assert routes.metres[i] == pytest.approx(osrm_metres(unit, SENG_HIE), abs=0.01)
    # The river model still says which bridges each route crosses.
    assert routes.via(0) == (KAPUAS_I,) and routes.via(5) == (LANDAK, KAPUAS_I)
    # One request: every unit a source, the incident (sent last, lon,lat) the destination.
    assert len(osrm.requests) == 1
    prefix, coords, query = osrm.requests[0]
    assert prefix == "/table/v1/driving/"
    assert len(coords) == len(UNITS) + 1
    assert coords[-1] == pytest.approx((SENG_HIE[1], SENG_HIE[0]), abs=1e-6)
    assert sorted(sent((lat, lon)) for lon, lat in coords[:-1]) == sorted(sent(u) for u in UNITS)
    assert query["sources"] == ";".join(str(i) for i in range(len(UNITS)))
    assert query["destinations"] == str(len(UNITS))
    assert set(query["annotations"].split(",")) == {"duration", "distance"}


def test_osrm_outbound_asks_from_the_incident_to_the_hospitals(river, osrm):
    model = OsrmTravelTime(osrm.url, fallback=river, timeout=5)
    hospitals = [SOEDARSO, ANTONIUS, MITRA_MEDIKA]
    lats, lons = np.array(hospitals).T
    routes = model.from_point(*UTARA, lats, lons, at=AT_10_WIB)
    assert routes.estimated_by == "osrm"
    for i, hospital in enumerate(hospitals):
        assert routes.seconds[i] == pytest.approx(osrm_seconds(UTARA, hospital), abs=0.01)  # incident -> hospital
        assert routes.seconds[i] != pytest.approx(osrm_seconds(hospital, UTARA), abs=1)
        assert routes.metres[i] == pytest.approx(osrm_metres(UTARA, hospital), abs=0.01)
    assert routes.via(0) == (LANDAK, KAPUAS_I)
    _, coords, query = osrm.requests[0]
    assert coords[-1] == pytest.approx((UTARA[1], UTARA[0]), abs=1e-6)
    assert query["sources"] == "3"
    assert query["destinations"] == "0;1;2"


@pytest.mark.parametrize("k", [1, 3, 7])
def test_refine_k_sends_only_the_k_best_candidates(river, osrm, k):
    model = OsrmTravelTime(osrm.url, fallback=river, timeout=5, refine=k)
    lats, lons = unit_arrays()
    base = river.to_point(lats, lons, *SENG_HIE, at=AT_17_WIB)
    routes = model.to_point(lats, lons, *SENG_HIE, at=AT_17_WIB)
    best = set(np.argsort(base.seconds, kind="stable")[:k].tolist())
    _, coords, query = osrm.requests[0]
    assert len(coords) == k + 1
    assert query["sources"] == ";".join(str(i) for i in range(k)) and query["destinations"] == str(k)
    assert {sent((lat, lon)) for lon, lat in coords[:-1]} == {sent(UNITS[i]) for i in best}
    for i, unit in enumerate(UNITS):
        if i in best:
            assert routes.seconds[i] == pytest.approx(osrm_seconds(unit, SENG_HIE), abs=0.01)
        else:
            assert routes.seconds[i] == base.seconds[i] and routes.metres[i] == base.metres[i]


def test_an_unroutable_pair_keeps_the_river_estimate_for_that_unit_only(river, osrm):
    osrm.mode = "null cell"
    model = OsrmTravelTime(osrm.url, fallback=river, timeout=5)
    lats, lons = unit_arrays()
    base = river.to_point(lats, lons, *SENG_HIE, at=AT_17_WIB)
    routes = model.to_point(lats, lons, *SENG_HIE, at=AT_17_WIB)
    assert routes.estimated_by == "osrm+river"
    first = int(np.argsort(base.seconds, kind="stable")[0])  # the unit sent first got the null
    assert routes.seconds[first] == base.seconds[first]
    others = [i for i in range(len(UNITS)) if i != first]
    assert all(routes.seconds[i] == pytest.approx(osrm_seconds(UNITS[i], SENG_HIE), abs=0.01) for i in others)


FAILURES = ["500", "garbage", "not an object", "error code", "one row short", "transposed", "square", "strings",
            "no distances"]


@pytest.mark.parametrize("mode", FAILURES)
@pytest.mark.parametrize("direction", ["inbound", "outbound"])
def test_a_bad_answer_keeps_the_river_estimates(river, osrm, caplog, mode, direction):
    osrm.mode = mode
    model = OsrmTravelTime(osrm.url, fallback=river, timeout=5)
    lats, lons = unit_arrays()
    with caplog.at_level(logging.WARNING, logger="dispatch.geo.travel"):
        if direction == "inbound":
            base = river.to_point(lats, lons, *SENG_HIE, at=AT_17_WIB)
            routes = model.to_point(lats, lons, *SENG_HIE, at=AT_17_WIB)
        else:
            base = river.from_point(*SENG_HIE, lats, lons, at=AT_17_WIB)
            routes = model.from_point(*SENG_HIE, lats, lons, at=AT_17_WIB)
    assert len(osrm.requests) == 1  # it did ask
    assert routes.estimated_by == "river"
    np.testing.assert_array_equal(routes.seconds, base.seconds)
    np.testing.assert_array_equal(routes.metres, base.metres)
    assert [routes.via(i) for i in range(len(UNITS))] == [base.via(i) for i in range(len(UNITS))]
    assert "using the river model" in caplog.text


def _closed_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # nothing listens there once the socket is closed


def test_the_server_down_keeps_the_river_estimates(river, caplog):
    model = OsrmTravelTime(f"http://127.0.0.1:{_closed_port()}", fallback=river, timeout=5)
    lats, lons = unit_arrays()
    base = river.to_point(lats, lons, *SENG_HIE, at=AT_17_WIB)
    with caplog.at_level(logging.WARNING, logger="dispatch.geo.travel"):
        routes = model.to_point(lats, lons, *SENG_HIE, at=AT_17_WIB)
        one = model.route(*KERATON, *SENG_HIE, at=AT_17_WIB)
    assert routes.estimated_by == "river"
    np.testing.assert_array_equal(routes.seconds, base.seconds)
    assert one.seconds == pytest.approx(river.route(*KERATON, *SENG_HIE, at=AT_17_WIB).seconds)
    assert one.via == (KAPUAS_I,)
    assert "OSRM" in caplog.text


def test_a_server_slower_than_the_timeout_keeps_the_river_estimates(river, osrm):
    osrm.mode = "slow"
    model = OsrmTravelTime(osrm.url, fallback=river, timeout=0.2)
    lats, lons = unit_arrays()
    base = river.to_point(lats, lons, *SENG_HIE, at=AT_17_WIB)
    try:
        routes = model.to_point(lats, lons, *SENG_HIE, at=AT_17_WIB)
        # The client returned while the server was still holding the answer back.
        assert not osrm.release.is_set()
    finally:
        osrm.release.set()
    assert len(osrm.requests) == 1
    assert routes.estimated_by == "river"
    np.testing.assert_array_equal(routes.seconds, base.seconds)
    np.testing.assert_array_equal(routes.metres, base.metres)


def test_osrm_with_no_candidates_asks_nothing(river, osrm):
    model = OsrmTravelTime(osrm.url, fallback=river, timeout=5)
    routes = model.to_point(np.array([]), np.array([]), *SENG_HIE, at=AT_10_WIB)
    assert routes.seconds.shape == (0,)
    assert osrm.requests == []


def test_a_failed_server_is_left_alone_for_a_while(river, osrm):
    """While OSRM fails no request waits on it more than once per pause; then it is tried again."""
    class Clock:
        now = 1000.0

        def __call__(self):
            return self.now

    clock = Clock()
    osrm.mode = "500"
    model = OsrmTravelTime(osrm.url, fallback=river, timeout=2, clock=clock, pause_after_failure_s=30)
    lats, lons = unit_arrays()
    for _ in range(3):
        assert model.to_point(lats, lons, *SENG_HIE, at=AT_17_WIB).estimated_by == "river"
    assert len(osrm.requests) == 1
    clock.now += 31
    osrm.mode = "ok"
    assert model.to_point(lats, lons, *SENG_HIE, at=AT_17_WIB).estimated_by == "osrm"
    assert len(osrm.requests) == 2
