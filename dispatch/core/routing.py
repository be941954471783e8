"""The road between two points, with the way it follows, for the console's map (GET /api/route)."""
from .clock import utcnow
from .errors import InvalidInput

FAR_FROM_ROAD_M = 250     # a point farther than this from the nearest road is flagged


def way_between(geo, *, from_lat, from_lon, to_lat, to_lon):
    """ETA, distance, bridges and path by the app's travel model. A point farther than
    ``geo.route_max_walk_m`` from any road is refused (the field named); one more than
    FAR_FROM_ROAD_M away is answered with its walk and ``far_from_road``."""
    now = utcnow()
    way = geo.travel.way(from_lat, from_lon, to_lat, to_lon, at=now)
    too_far = {}
    for end, walk in (("from", way.walk_from_m), ("to", way.walk_to_m)):
        if walk > geo.route_max_walk_m:
            said = f"{walk / 1000:.1f} km from the nearest road (at most {geo.route_max_walk_m / 1000:g} km)"
            too_far[f"{end}_lat"] = too_far[f"{end}_lon"] = said
    if too_far:
        raise InvalidInput("a point is too far from the city's roads to route", fields=too_far,
                           code="too_far_from_road")
    return {
        "eta_s": round(way.seconds), "distance_m": round(way.metres), "via": list(way.via), "path": way.path,
        "estimated_by": way.estimated_by,
        "walk_m": {"from": round(way.walk_from_m), "to": round(way.walk_to_m)},
        "far_from_road": max(way.walk_from_m, way.walk_to_m) > FAR_FROM_ROAD_M,
        "computed_at": now,
    }
