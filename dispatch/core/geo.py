"""The geography a running app works with: gazetteer, zones, rivers, geocoder, travel model.

One :class:`Geo` per app, built from plain settings (no Flask here). Everything but
the zones is read-only and shared by all apps of a process. Zones can be replaced
by ``zones import``: :meth:`Geo.refresh_zones` compares the imported set in the
database (count, newest id and import time: one small query) with the one in memory
and reloads when it changed, so
every process of a deployment follows an import.
"""
import logging
from functools import lru_cache

from geopy.adapters import URLLibAdapter
from geopy.geocoders import Nominatim
from sqlalchemy import func, select

from ..geo.gazetteer import Gazetteer
from ..geo.geocoder import FallbackGeocoder, OfflineGeocoder
from ..geo.rivers import RiverNetwork
from ..geo.streets import StreetIndex, merged_places
from ..geo.roads import SHIPPED as SHIPPED_ROADS, GraphTravelTime, RoadGraph, parse_class_kmh
from ..geo.travel import OsrmTravelTime, RiverAwareTravelTime
from ..geo.zones import ZoneIndex
from ..models import Zone

log = logging.getLogger(__name__)


@lru_cache(maxsize=1)
def shipped_gazetteer():
    """The gazetteer with the street index's streets, landmarks, schools and puskesmas (streets.json)."""
    base = Gazetteer.load()
    try:
        index = StreetIndex.load()
    except (OSError, ValueError, KeyError, TypeError) as exc:
        log.warning("the street index cannot be read (%s): the gazetteer alone", exc)
        return base
    return Gazetteer(merged_places(base.places, index))


@lru_cache(maxsize=1)
def shipped_rivers():
    return RiverNetwork.shipped()


@lru_cache(maxsize=1)
def shipped_zones():
    return ZoneIndex.shipped()


@lru_cache(maxsize=4)
def road_graph(path):
    """The road graph in ``path``, read once per process (with its lookup grid made, so the first
    request does not wait for it). OSError or ValueError when it is missing or broken."""
    graph = RoadGraph.shipped(path)
    graph.samples()
    return graph


def graph_or_river(rivers, *, road_graph_file, road_speeds_kmh, detour, timezone):
    """The road-graph model, or the river model when the graph is switched off (``ROAD_GRAPH_FILE=off``),
    missing or broken: (model, why the graph is not used or None)."""
    river = RiverAwareTravelTime(rivers, detour=detour, timezone=timezone)
    if str(road_graph_file).lower() == "off":
        return river, "switched off (ROAD_GRAPH_FILE=off)"
    speeds = tuple(sorted((road_speeds_kmh or {}).items()))
    try:
        return graph_model(str(road_graph_file), speeds, timezone), None
    except (OSError, ValueError, KeyError, TypeError, IndexError) as exc:
        why = f"the road graph {road_graph_file} cannot be used ({type(exc).__name__}: {exc})"[:300]
        log.warning("%s: road times come from the river-aware model", why)
        return river, why


@lru_cache(maxsize=8)
def graph_model(path, speeds, timezone):
    """One model per graph file, speeds and time zone, shared by the apps of a process (it holds
    only caches that every app may share)."""
    return GraphTravelTime(road_graph(path), shipped_rivers(), class_kmh=dict(speeds), timezone=timezone)


class Geo:
    def __init__(self, *, nominatim_url=None, nominatim_timeout_s=1.5, osrm_url=None, osrm_timeout_s=1.0,
                 detour=1.35, timezone="Asia/Pontianak", position_max_age_s=600, als_preference_s=120,
                 road_graph_file=SHIPPED_ROADS, road_speeds_kmh=None, route_max_walk_m=5000):
        self.gazetteer = shipped_gazetteer()
        self.rivers = shipped_rivers()
        self._zones = shipped_zones()
        self._zones_version = (0, None, None)
        self.offline = OfflineGeocoder(self.gazetteer, zones=lambda: self._zones)
        self.geocoder = self.offline
        if nominatim_url:
            scheme, _, domain = nominatim_url.partition("://")
            # urllib, which does not retry: a slow server costs one timeout, not three.
            server = Nominatim(domain=domain.rstrip("/"), scheme=scheme, timeout=nominatim_timeout_s,
                               user_agent="psc119-dispatch", adapter_factory=URLLibAdapter)
            # Only answers around the city: Nominatim's viewbox, bounded, Indonesia.
            minx, miny, maxx, maxy = self._zones.service_area.bounds
            margin = 0.1
            options = {"viewbox": [(maxy + margin, minx - margin), (miny - margin, maxx + margin)],
                       "bounded": True, "country_codes": "id"}
            self.geocoder = FallbackGeocoder(server, self.offline, server_options=options)
        self.travel, self.graph_problem = graph_or_river(
            self.rivers, road_graph_file=road_graph_file, road_speeds_kmh=road_speeds_kmh, detour=detour,
            timezone=timezone)
        self.route_max_walk_m = route_max_walk_m
        # The streets the maps draw (core.maplayer): this file's even when routing is switched off.
        self.road_graph_file = SHIPPED_ROADS if str(road_graph_file).lower() == "off" else road_graph_file
        if osrm_url:
            self.travel = OsrmTravelTime(osrm_url, fallback=self.travel, timeout=osrm_timeout_s)
        self.position_max_age_s = position_max_age_s
        self.als_preference_s = als_preference_s

    @classmethod
    def from_config(cls, config):
        speeds = config.get("ROAD_SPEEDS_KMH")
        if isinstance(speeds, str):
            try:
                speeds = parse_class_kmh(speeds) if speeds.strip() else None
            except ValueError as exc:
                raise RuntimeError(f"ROAD_SPEEDS_KMH: {exc}") from None
        return cls(
            nominatim_url=config.get("NOMINATIM_URL"), nominatim_timeout_s=config.get("NOMINATIM_TIMEOUT_S", 1.5),
            osrm_url=config.get("OSRM_URL"), osrm_timeout_s=config.get("OSRM_TIMEOUT_S", 1.0),
            detour=config.get("TRAVEL_DETOUR_FACTOR", 1.35), timezone=config.get("TIMEZONE", "Asia/Pontianak"),
            position_max_age_s=config.get("POSITION_MAX_AGE_S", 600),
            als_preference_s=config.get("ALS_PREFERENCE_S", 120),
            road_graph_file=config.get("ROAD_GRAPH_FILE") or SHIPPED_ROADS,
            road_speeds_kmh=speeds, route_max_walk_m=config.get("ROUTE_MAX_WALK_M", 5000),
        )

    @property
    def travel_status(self):
        """What estimates road times, for /api/health: ``graph``, ``osrm+graph``, or ``river: why``."""
        name = self.travel.name
        inner = self.travel.fallback.name if name == "osrm" else name
        said = f"osrm+{inner}" if name == "osrm" else inner
        return f"{said}: {self.graph_problem}" if self.graph_problem else said

    @property
    def zones(self):
        return self._zones

    def refresh_zones(self, session):
        """Follow the zones imported into the database (shipped zones when there are none)."""
        # The import time too: on SQLite the ids of a new import can repeat the old ones.
        version = tuple(session.execute(select(func.count(Zone.id), func.max(Zone.id),
                                               func.max(Zone.imported_at))).one())
        if version != self._zones_version:
            self._zones = load_zone_index(session) if version[0] else shipped_zones()
            self._zones_version = version
        return self._zones


def load_zone_index(session):
    rows = session.scalars(select(Zone).order_by(Zone.id)).all()
    features = [{"type": "Feature", "geometry": z.geometry,
                 "properties": {"name": z.name, "kind": z.kind, "code": z.code, "kecamatan": z.kecamatan}}
                for z in rows]
    source = rows[0].source if rows else "shipped"
    return ZoneIndex.from_geojson({"type": "FeatureCollection", "features": features}, source=source)
