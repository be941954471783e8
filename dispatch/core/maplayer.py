"""The street layer of the maps (GET /api/map/roads): the road graph, the street names, the zone
names, the bridges, and the hospitals and puskesmas to label, as compact JSON, gzipped once.

The geography part never changes in a running process; the facilities come from the database, so
the layer is made again only when their names, kinds or positions change (one small query).
"""
import gzip
import hashlib
import json
from functools import lru_cache
from pathlib import Path

from sqlalchemy import select

from ..geo.roadlayer import build_layer
from ..models import Hospital

STREETS = Path(__file__).resolve().parents[1] / "data" / "streets.json"


@lru_cache(maxsize=1)
def _street_index():
    try:
        return json.loads(STREETS.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


@lru_cache(maxsize=8)
def _layer(roads_path, zones, gazetteer, places):
    try:
        roads = json.loads(Path(roads_path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        roads = {"nodes": [[0, 0]], "edges": [], "bridges": []}    # no graph: zones and places only
    streets = _street_index()
    roads_of_gazetteer = [p for p in gazetteer.places if p.kind == "road"]
    layer = build_layer(roads, zones=zones, streets=streets, gazetteer_roads=roads_of_gazetteer,
                        places=[dict(zip(("name", "kind", "lat", "lon"), p)) for p in places])
    raw = json.dumps(layer, separators=(",", ":"), ensure_ascii=False).encode()
    return raw, gzip.compress(raw, compresslevel=9, mtime=0), '"' + hashlib.sha256(raw).hexdigest()[:32] + '"'


def road_layer(session, geo):
    """(JSON bytes, the same gzipped, ETag) of the layer as it is now."""
    rows = session.execute(select(Hospital.name, Hospital.kind, Hospital.lat, Hospital.lon)
                           .order_by(Hospital.kind, Hospital.name)).all()
    places = tuple((name, kind, lat, lon) for name, kind, lat, lon in rows)
    known = {p[0] for p in places}
    index = _street_index() or {}
    places += tuple((p["name"], "puskesmas", p["lat"], p["lon"]) for p in index.get("puskesmas", [])
                    if p["name"] not in known)
    return _layer(str(geo.road_graph_file), geo.zones, geo.gazetteer, places)
