"""Road travel time that knows the rivers, behind one small interface.

Every model answers ``to_point(lats, lons, lat, lon, at=...)``: the estimated road
time and distance from many points (units) to one (an incident), and
``from_point(...)`` the other way (incident to hospitals). Both return
:class:`Routes`: numpy arrays of seconds and metres, and the bridges each route
crosses.

:class:`RiverAwareTravelTime` (the default) puts each point on its bank of the
Kapuas/Landak; a trip between banks goes through the bridges on the way
(Jembatan Kapuas I, Jembatan Landak), each leg straight-line times a detour
factor for the street grid; the speed, and a delay per bridge for the queues on
it, depend on the local (WIB) time of day. :class:`OsrmTravelTime` asks an OSRM
server for the best candidates and falls back to the river model when the server
is slow or down. docs/GEO.md says where the estimates are wrong.
"""
import json
import logging
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import numpy as np

from .backoff import PauseAfterFailure
from .distance import haversine_m

log = logging.getLogger(__name__)

# (from hour, to hour, km/h with lights and siren, extra seconds per bridge), local time.
DEFAULT_SPEEDS = (
    (0, 6, 40.0, 0.0),
    (6, 9, 24.0, 180.0),     # morning rush: school and office traffic, Kapuas I queues
    (9, 16, 30.0, 60.0),
    (16, 19, 22.0, 240.0),   # evening rush, the slowest of the day
    (19, 24, 32.0, 60.0),
)
DEFAULT_DETOUR = 1.35        # road distance / straight distance on Pontianak's street grid


@dataclass
class Route:
    seconds: float
    metres: float
    via: tuple


@dataclass
class Way:
    """One road with the points it follows ([lat, lon], from the start to the end, the walks to
    and from the road included) and the metres walked off the road at each end."""
    seconds: float
    metres: float
    via: tuple
    path: list
    walk_from_m: float = 0.0
    walk_to_m: float = 0.0
    estimated_by: str = "river"


@dataclass
class Routes:
    seconds: np.ndarray
    metres: np.ndarray
    banks: np.ndarray                       # bank index of each point (-1: outside the model)
    via_by_bank: dict = field(default_factory=dict)
    estimated_by: str = "river"

    def via(self, i):
        return self.via_by_bank.get(int(self.banks[i]), ())

    def route(self, i):
        return Route(float(self.seconds[i]), float(self.metres[i]), self.via(i))


def band_index(bands, at, tz):
    """Index of the band (from hour, to hour, ...) that holds the moment ``at`` in zone ``tz``."""
    local = at.astimezone(tz)
    hour = local.hour + local.minute / 60
    for i, band in enumerate(bands):
        if band[0] <= hour < band[1]:
            return i
    return len(bands) - 1


class SymmetricTravelTime:
    """``from_point`` and ``route`` for a model whose road from A to B is the road from B to A."""

    def from_point(self, lat, lon, lats, lons, *, at):
        # Driven backwards, so the bridges come in the reverse order (Utara -> Selatan: Landak, then Kapuas I).
        routes = self.to_point(lats, lons, lat, lon, at=at)
        routes.via_by_bank = {bank: via[::-1] for bank, via in routes.via_by_bank.items()}
        return routes

    def route(self, lat1, lon1, lat2, lon2, *, at):
        return self.to_point([lat1], [lon1], lat2, lon2, at=at).route(0)


class RiverAwareTravelTime(SymmetricTravelTime):
    name = "river"

    def __init__(self, network, *, detour=DEFAULT_DETOUR, speeds=DEFAULT_SPEEDS, timezone="Asia/Pontianak"):
        if detour < 1:
            raise ValueError("the detour factor is at least 1")
        self.network = network
        self.detour = float(detour)
        self.speeds = tuple(speeds)
        self.tz = ZoneInfo(timezone)

    def speed_at(self, at):
        """(metres per second, seconds of delay per bridge) at the moment ``at`` (aware datetime)."""
        _, _, kmh, delay = self.speeds[band_index(self.speeds, at, self.tz)]
        return kmh / 3.6, delay

    def to_point(self, lats, lons, lat, lon, *, at):
        lats = np.asarray(lats, dtype=float)
        lons = np.asarray(lons, dtype=float)
        mps, delay = self.speed_at(at)
        network = self.network
        banks = network.bank_of_many(lats, lons)
        target = network.bank_of(lat, lon)
        metres = np.empty(lats.shape)
        seconds = np.empty(lats.shape)
        via_by_bank = {}
        for bank in np.unique(banks).tolist():
            mask = banks == bank
            path = network.bridges_between(bank, target) if bank >= 0 and target >= 0 else ()
            via_by_bank[bank] = tuple(step[0].name for step in path)
            if not path:
                metres[mask] = self.detour * haversine_m(lats[mask], lons[mask], lat, lon)
                seconds[mask] = metres[mask] / mps
                continue
            # Drive to the first bridge, across each, between them, then on to the point.
            fixed = 0.0
            here = None
            for bridge, from_bank, to_bank in path:
                entry = bridge.ends[from_bank]
                if here is not None:
                    fixed += self.detour * float(haversine_m(here[0], here[1], entry[0], entry[1]))
                fixed += bridge.length_m
                here = bridge.ends[to_bank]
            first = path[0][0].ends[path[0][1]]
            legs = self.detour * haversine_m(lats[mask], lons[mask], first[0], first[1])
            legs += self.detour * float(haversine_m(here[0], here[1], lat, lon))
            metres[mask] = legs + fixed
            seconds[mask] = metres[mask] / mps + delay * len(path)
        return Routes(seconds, metres, banks, via_by_bank, self.name)

    def way(self, lat1, lon1, lat2, lon2, *, at):
        """The estimate with a sketch of the way: straight to each bridge on it, across, and on."""
        route = self.route(lat1, lon1, lat2, lon2, at=at)
        path = [[lat1, lon1]]
        for bridge, from_bank, to_bank in self.network.bridges_between(self.network.bank_of(lat1, lon1),
                                                                       self.network.bank_of(lat2, lon2)):
            path += [list(bridge.ends[from_bank]), list(bridge.ends[to_bank])]
        path.append([lat2, lon2])
        path = [[round(float(a), 6), round(float(b), 6)] for a, b in path]
        return Way(route.seconds, route.metres, route.via, path, estimated_by=self.name)


class OsrmTravelTime:
    """Road times from an OSRM server for the ``refine`` best candidates of the fallback model.

    Any failure (timeout, refused connection, an error answer, an unroutable point)
    leaves the fallback's estimate in place, and after a failure the server is left
    alone for ``pause_after_failure_s``, so while it is down or slow no request waits
    on it more than once.
    """

    name = "osrm"

    def __init__(self, base_url, *, fallback, timeout=1.0, refine=25, profile="driving", pause_after_failure_s=30.0,
                 clock=time.monotonic):
        self.base_url = base_url.rstrip("/")
        self.fallback = fallback
        self.timeout = timeout
        self.refine = refine
        self.profile = profile
        self._backoff = PauseAfterFailure(pause_after_failure_s, clock=clock)

    @property
    def network(self):
        return self.fallback.network

    def to_point(self, lats, lons, lat, lon, *, at):
        return self._refined(self.fallback.to_point(lats, lons, lat, lon, at=at), lats, lons, lat, lon, inbound=True)

    def from_point(self, lat, lon, lats, lons, *, at):
        return self._refined(self.fallback.from_point(lat, lon, lats, lons, at=at), lats, lons, lat, lon,
                             inbound=False)

    def route(self, lat1, lon1, lat2, lon2, *, at):
        return self.to_point([lat1], [lon1], lat2, lon2, at=at).route(0)

    def way(self, lat1, lon1, lat2, lon2, *, at):
        """The server's time and distance on the fallback's way (the table service draws no path)."""
        way = self.fallback.way(lat1, lon1, lat2, lon2, at=at)
        routes = self.to_point([lat1], [lon1], lat2, lon2, at=at)
        if routes.estimated_by == "osrm":
            way.seconds, way.metres = float(routes.seconds[0]), float(routes.metres[0])
            way.estimated_by = "osrm"
        return way

    def _refined(self, routes, lats, lons, lat, lon, *, inbound):
        if self._backoff.paused:
            return routes
        best = np.argsort(routes.seconds, kind="stable")[: self.refine]  # fastest first
        if best.size == 0:
            return routes
        lats = np.asarray(lats, dtype=float)[best]
        lons = np.asarray(lons, dtype=float)[best]
        coords = ";".join(f"{x:.6f},{y:.6f}" for x, y in zip(lons.tolist(), lats.tolist()))
        coords += f";{lon:.6f},{lat:.6f}"
        n = len(best)
        many = ";".join(str(i) for i in range(n))
        ends = f"sources={many}&destinations={n}" if inbound else f"sources={n}&destinations={many}"
        url = f"{self.base_url}/table/v1/{self.profile}/{coords}?{ends}&annotations=duration,distance"
        try:
            with urllib.request.urlopen(url, timeout=self.timeout) as response:  # noqa: S310 (configured URL)
                answer = json.loads(response.read(2_000_000))
            if not isinstance(answer, dict):
                raise ValueError("the answer is not a JSON object")
            if answer.get("code") != "Ok":
                raise ValueError(answer.get("message") or answer.get("code"))
            # Rows are sources, columns destinations: n x 1 inbound, 1 x n outbound, nothing else.
            shape = (n, 1) if inbound else (1, n)
            durations = np.array(answer["durations"], dtype=float)
            distances = np.array(answer["distances"], dtype=float)
            if durations.shape != shape or distances.shape != shape:
                raise ValueError("table of the wrong shape")
            durations, distances = durations.reshape(-1), distances.reshape(-1)
        except (OSError, ValueError, KeyError, TypeError, urllib.error.URLError) as exc:
            log.warning("OSRM at %s failed (%s); using the river model for a while", self.base_url, exc)
            self._backoff.failed()
            return routes
        ok = np.isfinite(durations) & np.isfinite(distances)
        seconds, metres = routes.seconds.copy(), routes.metres.copy()
        seconds[best[ok]] = durations[ok]
        metres[best[ok]] = distances[ok]
        return Routes(seconds, metres, routes.banks, routes.via_by_bank, "osrm" if ok.all() else f"osrm+{self.fallback.name}")

