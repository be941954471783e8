"""GET /api/route (dispatch/api/route.py, dispatch/core/routing.py): the road between two points by
the same model as the recommendations, with its way; points far from the roads and bad input."""
import numpy as np
import pytest

from dispatch.geo.distance import haversine_m

KOTA = (-0.036637, 109.313484)
UTARA = (0.007991, 109.336646)
FIELDS_SOUTH = (-0.10, 109.30)        # about 2.5 km from the nearest road of the graph
FAR_AWAY = (0.5, 109.9)               # about 80 km away


def route(world, start, end, who="op"):
    return world.get(who, f"/api/route?from_lat={start[0]}&from_lon={start[1]}&to_lat={end[0]}&to_lon={end[1]}")


def test_the_road_across_both_bridges_with_its_way(world):
    r = route(world, KOTA, UTARA)
    assert r.status_code == 200
    body = r.get_json()
    assert body["via"] == ["Jembatan Kapuas I", "Jembatan Landak"] and body["estimated_by"] == "graph"
    assert body["eta_s"] > 0 and body["far_from_road"] is False
    path = np.array(body["path"])
    assert path[0].tolist() == list(KOTA) and path[-1].tolist() == list(UTARA) and len(path) > 20
    drawn = haversine_m(path[:-1, 0], path[:-1, 1], path[1:, 0], path[1:, 1]).sum()
    assert 0.9 * body["distance_m"] <= drawn <= 1.01 * body["distance_m"]
    assert set(body["walk_m"]) == {"from", "to"} and max(body["walk_m"].values()) < 250
    back = route(world, UTARA, KOTA, who="sup").get_json()
    assert back["via"] == ["Jembatan Landak", "Jembatan Kapuas I"] and back["distance_m"] == body["distance_m"]


def test_the_route_and_the_recommendation_agree(world):
    # Unit B waits at its station; the recommendation's ETA is the route's from that station.
    incident = world.new_incident(lat=UTARA[0], lon=UTARA[1], location_text="Siantan")
    recs = world.get("op", f"/api/incidents/{incident['id']}/recommendations").get_json()
    b = next(i for i in recs["items"] if i["unit"]["id"] == world.unit_b.id)
    body = route(world, (world.unit_b.station_lat, world.unit_b.station_lon), UTARA).get_json()
    assert recs["estimated_by"] == body["estimated_by"] == "graph"
    assert abs(b["eta_s"] - body["eta_s"]) <= 1 and b["distance_m"] == body["distance_m"]


def test_a_point_off_the_roads_is_answered_with_its_walk_and_flagged(world):
    body = route(world, KOTA, FIELDS_SOUTH).get_json()
    assert body["far_from_road"] is True and 1000 < body["walk_m"]["to"] < 5000 and body["walk_m"]["from"] < 250
    assert body["path"][-1] == list(FIELDS_SOUTH)


def test_a_point_far_outside_the_city_is_refused_naming_it(world, session):
    r = route(world, FAR_AWAY, KOTA)
    assert r.status_code == 422
    error = r.get_json()["error"]
    assert error["code"] == "too_far_from_road" and set(error["fields"]) == {"from_lat", "from_lon"}
    assert "km from the nearest road" in error["fields"]["from_lat"]


@pytest.mark.parametrize("query, field", [
    ("from_lon=109.31&to_lat=0&to_lon=109.33", "from_lat"),
    ("from_lat=91&from_lon=109.31&to_lat=0&to_lon=109.33", "from_lat"),
    ("from_lat=0&from_lon=109.31&to_lat=0&to_lon=abc", "to_lon"),
    ("from_lat=0&from_lon=109.31&to_lat=nan&to_lon=109.33", "to_lat"),
])
def test_bad_points_are_refused_naming_the_field(world, query, field):
    r = world.get("op", f"/api/route?{query}")
    assert r.status_code == 422 and field in r.get_json()["error"]["fields"]


def test_only_dispatchers_ask_for_any_route(world, client):
    assert route(world, KOTA, UTARA, who="crew_a").status_code == 403
    assert route(world, KOTA, UTARA, who="adm").status_code == 403
    assert client.get(f"/api/route?from_lat={KOTA[0]}&from_lon={KOTA[1]}&to_lat=0&to_lon=109.33").status_code == 401


def test_with_the_graph_switched_off_the_river_model_answers(app, world):
    from dispatch.core.geo import Geo

    app.extensions["psc_geo"] = Geo(road_graph_file="off")
    body = route(world, KOTA, UTARA).get_json()
    assert body["estimated_by"] == "river" and body["via"] == ["Jembatan Kapuas I", "Jembatan Landak"]
    assert body["path"][0] == list(KOTA) and body["path"][-1] == list(UTARA) and len(body["path"]) == 6
