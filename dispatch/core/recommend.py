"""Which available unit reaches an incident first, and why.

:func:`rank_units` is the pure part (numpy arrays in, ranked picks out), so it is
benchmarked on its own with 100,000 units; :func:`recommend_units` reads the
units from the database and dresses the picks for the API. A unit's GPS fix is used
while it is younger than ``geo.position_max_age_s``; otherwise its station, and the
reasons say so. For P1 calls of the ALS categories an ALS unit goes first when it
is at most ``geo.als_preference_s`` slower than the fastest unit.
"""
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import select

from ..geo.distance import haversine_m
from ..models import Hospital, Incident, Unit
from .access import ensure_unit_access
from .clock import utcnow
from .errors import Conflict
from .lifecycle import get_or_404
from ..vocabulary import ALS_CATEGORIES, CATEGORIES, reason


@dataclass
class Candidates:
    """Available units as parallel arrays (one entry per unit)."""
    ids: np.ndarray
    als: np.ndarray              # bool
    fix_lat: np.ndarray          # nan when no fix
    fix_lon: np.ndarray
    fix_age_s: np.ndarray        # nan when no fix
    station_lat: np.ndarray
    station_lon: np.ndarray
    labels: list = field(default_factory=list)   # call signs, for the reasons

    def __len__(self):
        return len(self.ids)


class Picks(list):
    """The ranked picks, and which travel model estimated them (``river``, ``osrm``, ...)."""
    estimated_by = "river"


@dataclass
class Pick:
    index: int
    eta_s: float
    distance_m: float
    via: tuple
    position_source: str         # "gps" or "station"
    position_age_s: float | None
    reasons: list


def origins(candidates, max_age_s):
    """Where each unit is counted from: its fix while fresh, else its station; and which."""
    fresh = np.isfinite(candidates.fix_lat) & (np.nan_to_num(candidates.fix_age_s, nan=np.inf) <= max_age_s)
    return (np.where(fresh, candidates.fix_lat, candidates.station_lat),
            np.where(fresh, candidates.fix_lon, candidates.station_lon), fresh)


def rank_units(candidates, lat, lon, *, travel, at, priority, category, max_age_s=600, als_preference_s=120,
               limit=5):
    """The ``limit`` best units for an incident at (lat, lon), fastest first."""
    n = len(candidates)
    if n == 0:
        return Picks()
    olat, olon, fresh = origins(candidates, max_age_s)
    routes = travel.to_point(olat, olon, lat, lon, at=at)
    seconds = routes.seconds
    # Fastest first; ties by unit id so the order is stable from one call to the next. Only the
    # best ``limit`` are sorted (argpartition), which matters with 100,000 units.
    k = max(1, min(limit, n))
    best = np.argpartition(seconds, k - 1)[:k] if n > k else np.arange(n)
    top = best[np.lexsort((candidates.ids[best], seconds[best]))].tolist()
    fastest = top[0]
    promoted = None
    wants_als = priority == "P1" and category in ALS_CATEGORIES
    if wants_als and not candidates.als[fastest]:
        als = np.flatnonzero(candidates.als)
        if als.size:
            j = int(als[np.argmin(seconds[als])])
            slower = float(seconds[j] - seconds[fastest])
            if slower <= als_preference_s:
                promoted = (j, slower)
                top = [j] + [i for i in top if i != j]
            else:
                promoted = (None, slower, j)
    top = top[:limit]
    # The unit nearest in a straight line, to explain when a river puts it further down.
    nearest = int(np.argmin(haversine_m(olat, olon, lat, lon))) if any(routes.via(i) for i in top[1:]) else -1
    label = CATEGORIES.get(category, {"id": category, "en": category})
    picks = Picks()
    picks.estimated_by = routes.estimated_by
    for rank, i in enumerate(top):
        reasons = []
        if i == fastest:
            reasons.append(reason("fastest", "Perkiraan waktu tempuh tercepat", "Fastest estimated road time"))
        if promoted and promoted[0] == i:
            reasons.append(reason("als_preferred",
                              f"Unit ALS diutamakan untuk P1 {label['id'].lower()}: hanya {_dur_id(promoted[1])} "
                              f"lebih lambat dari unit tercepat",
                              f"ALS unit preferred for P1 {label['en'].lower()}: only {_dur_en(promoted[1])} "
                              f"slower than the fastest unit"))
        elif promoted and promoted[0] is not None and i == fastest:
            reasons.append(reason("als_preferred_over",
                              "Tercepat, tetapi unit ALS didahulukan untuk kasus ini",
                              "Fastest, but an ALS unit goes first for this call"))
        elif promoted and promoted[0] is None and i == fastest:
            reasons.append(reason("als_too_far",
                              f"Unit ALS terdekat ({_label(candidates, promoted[2])}) {_dur_id(promoted[1])} lebih lambat",
                              f"Nearest ALS unit ({_label(candidates, promoted[2])}) is {_dur_en(promoted[1])} slower"))
        via = routes.via(i)
        if via:
            names = ", ".join(via)
            reasons.append(reason("crosses_river", f"Menyeberang lewat {names}", f"Crosses {names}"))
            if i == nearest and rank > 0:
                reasons.append(reason("across_river", "Terdekat garis lurus, tetapi di seberang sungai",
                                  "Nearest in a straight line, but across the river"))
        age = float(candidates.fix_age_s[i]) if np.isfinite(candidates.fix_age_s[i]) else None
        if fresh[i]:
            reasons.append(reason("gps_position", f"Posisi GPS {_dur_id(age)} lalu", f"GPS position {_dur_en(age)} old"))
        else:
            why_id = "tidak ada posisi GPS" if age is None else f"posisi GPS sudah {_dur_id(age)}"
            why_en = "no GPS position" if age is None else f"GPS position is {_dur_en(age)} old"
            reasons.append(reason("station_position", f"Dihitung dari pos jaga: {why_id}",
                              f"Estimated from its station: {why_en}"))
        picks.append(Pick(i, float(routes.seconds[i]), float(routes.metres[i]), via,
                          "gps" if fresh[i] else "station", age, reasons))
    return picks


def load_candidates(session, *, now):
    """Every available unit as arrays. Read with a Core statement on the session's connection:
    with 1,000 units the ORM's row handling would cost more than the ranking itself."""
    units = Unit.__table__.c
    rows = session.connection().execute(
        select(units.id, units.call_sign, units.capability, units.lat, units.lon, units.position_at,
               units.station_lat, units.station_lon)
        .where(units.status == "available").order_by(units.id)
    ).all()
    if not rows:
        return Candidates(*(np.empty(0) for _ in range(7)), labels=[])
    ids, call_signs, capability, lat, lon, fixed_at, station_lat, station_lon = zip(*rows)
    nan = float("nan")
    has_fix = [a is not None and y is not None for a, y in zip(fixed_at, lat)]
    return Candidates(
        ids=np.array(ids, dtype=np.int64),
        als=np.array([c == "ALS" for c in capability], dtype=bool),
        fix_lat=np.array([y if ok else nan for y, ok in zip(lat, has_fix)], dtype=float),
        fix_lon=np.array([x if ok else nan for x, ok in zip(lon, has_fix)], dtype=float),
        fix_age_s=np.array([max(0.0, (now - a).total_seconds()) if ok else nan
                            for a, ok in zip(fixed_at, has_fix)], dtype=float),
        station_lat=np.array(station_lat, dtype=float),
        station_lon=np.array(station_lon, dtype=float),
        labels=list(call_signs),
    )


def rank_for(candidates, incident, *, geo, now, limit):
    """:func:`rank_units` for one located incident, with the centre's settings (``geo``)."""
    return rank_units(candidates, incident.lat, incident.lon, travel=geo.travel, at=now,
                      priority=incident.priority, category=incident.category,
                      max_age_s=geo.position_max_age_s, als_preference_s=geo.als_preference_s, limit=limit)


def located_incident(session, incident_id):
    incident = get_or_404(session, Incident, incident_id, "incident")
    if incident.lat is None:
        raise Conflict("the incident's location is unknown: set it before asking for units",
                       code="location_unknown", details={"incident_id": incident.id})
    return incident


def recommend_units(session, *, geo, incident_id, limit=5):
    """Ranked picks for the API: each item's ``unit`` is the Unit itself."""
    incident = located_incident(session, incident_id)
    now = utcnow()
    candidates = load_candidates(session, now=now)
    picks = rank_for(candidates, incident, geo=geo, now=now, limit=limit)
    units = {u.id: u for u in session.scalars(select(Unit).where(Unit.id.in_([int(candidates.ids[p.index])
                                                                              for p in picks])))}
    items = [{
        "unit": units[int(candidates.ids[p.index])],
        "eta_s": round(p.eta_s), "distance_m": round(p.distance_m), "via": list(p.via),
        "position_source": p.position_source,
        "position_age_s": None if p.position_age_s is None else round(p.position_age_s),
        "reasons": p.reasons,
    } for p in picks]
    return {"incident_id": incident.id, "computed_at": now, "estimated_by": picks.estimated_by,
            "available_units": len(candidates), "items": items}


def etas_for_assignment(session, *, geo, incident_id, unit_id, recommended_unit_id=None):
    """(recommended unit, its ETA, the chosen unit's ETA) as the dispatcher saw them; Nones when unknown.

    Without a ``recommended_unit_id`` from the console, the server's first recommendation.
    """
    incident = session.get(Incident, incident_id)
    if incident is None or incident.lat is None:
        return recommended_unit_id, None, None
    now = utcnow()
    candidates = load_candidates(session, now=now)
    if not len(candidates):
        return recommended_unit_id, None, None
    if recommended_unit_id is None:
        picks = rank_for(candidates, incident, geo=geo, now=now, limit=1)
        recommended_unit_id = int(candidates.ids[picks[0].index])
    olat, olon, _ = origins(candidates, geo.position_max_age_s)
    wanted = np.flatnonzero(np.isin(candidates.ids, [unit_id, recommended_unit_id]))
    routes = geo.travel.to_point(olat[wanted], olon[wanted], incident.lat, incident.lon, at=now)
    eta = {int(candidates.ids[i]): round(float(routes.seconds[k])) for k, i in enumerate(wanted)}
    return recommended_unit_id, eta.get(recommended_unit_id), eta.get(unit_id)


def route_for_unit(session, *, geo, actor, unit_id):
    """The road the unit drives now, for the crew's screen: to its incident (from its fresh fix, else
    its station), or while transporting to the chosen hospital (from its fresh fix, else the scene):
    ETA, distance, bridges and the way. None when it has no incident with a known location."""
    ensure_unit_access(actor, unit_id)
    unit = get_or_404(session, Unit, unit_id, "unit")
    assignment = unit.current_assignment
    incident = session.get(Incident, assignment.incident_id) if assignment is not None else None
    if incident is None or incident.lat is None:
        return None
    now = utcnow()
    age = (now - unit.position_at).total_seconds() if unit.position_at is not None else None
    fresh = unit.lat is not None and age is not None and age <= geo.position_max_age_s
    hospital = (session.get(Hospital, assignment.hospital_id)
                if unit.status == "transporting" and assignment.hospital_id is not None else None)
    if hospital is not None:
        start, start_from = ((unit.lat, unit.lon), "gps") if fresh else ((incident.lat, incident.lon), "scene")
        end = (hospital.lat, hospital.lon)
    else:
        start, start_from = ((unit.lat, unit.lon), "gps") if fresh else ((unit.station_lat, unit.station_lon),
                                                                          "station")
        end = (incident.lat, incident.lon)
    way = geo.travel.way(*start, *end, at=now)
    return {"unit_id": unit.id, "incident_id": incident.id, "to": "hospital" if hospital else "incident",
            "hospital_id": hospital.id if hospital else None, "eta_s": round(way.seconds),
            "distance_m": round(way.metres), "via": list(way.via), "from": start_from, "path": way.path,
            "estimated_by": way.estimated_by, "computed_at": now}


def _label(candidates, i):
    return candidates.labels[i] if candidates.labels else str(int(candidates.ids[i]))



def _dur_id(seconds):
    seconds = round(seconds or 0)
    return f"{seconds} dtk" if seconds < 90 else f"{round(seconds / 60)} mnt"


def _dur_en(seconds):
    seconds = round(seconds or 0)
    return f"{seconds} s" if seconds < 90 else f"{round(seconds / 60)} min"
