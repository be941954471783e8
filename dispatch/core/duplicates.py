"""Possible duplicates: the open incidents a new call is probably about.

A bad crash brings ten callers. While a call is typed (and again when it is saved) the open
incidents that are probably the same event are suggested, best first, each with why: close in
space (within a radius that grows with the uncertainty of both locations), close in time (a call
about it within the last hour), a compatible category, the same caller number, the same road or
landmark named. The system only suggests: the operator links the call (core/links.py).
"""
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache

from sqlalchemy import Float, and_, bindparam, exists, func, literal, or_, select, union
from sqlalchemy.orm import lazyload
from sqlalchemy.orm.attributes import set_committed_value

from ..geo.distance import haversine_m
from ..geo.text import analyse
from ..models import Assignment, Call, Incident
from ..vocabulary import CATEGORY_GROUPS, INCIDENT_OPEN
from .callers import number_of
from .clock import utcnow
from .locate import locate_text

# An incident with a call within this window is recent enough to be the same event.
WINDOW = timedelta(minutes=60)
# Two points this close are one place even when both are exact; each location's uncertainty adds.
BASE_RADIUS_M = 300.0
# A point whose uncertainty is not known (coordinates typed in): a GPS fix's worth.
DEFAULT_ACCURACY_M = 50.0
LIMIT = 5
# Metres per degree of latitude (and of longitude on the equator, where Pontianak is: a bounding
# box, the exact distance is computed after).
_M_PER_DEGREE = 111_320.0
# Below this a suggestion is noise and is not shown.
MIN_SCORE = 0.3
# Words that say what kind of place, not which: sharing them does not make two places one.
_GENERIC = frozenset("""jalan gang simpang komplek perumahan kompleks kota pontianak rumah depan dekat belakang
samping seberang sebelah arah menuju kiri kanan ujung lorong parit sungai pasar masjid sekolah kantor toko warung
kecelakaan tabrakan motor mobil orang pingsan luka""".split())
_GROUP_OF = {category: group for group, members in CATEGORY_GROUPS.items() for category in members}


@dataclass(frozen=True)
class Probe:
    """What is known of the call being taken: its point and how uncertain it is, the place the
    geocoder matched, the words as typed, the caller's normalised number and the category."""
    lat: float | None = None
    lon: float | None = None
    accuracy_m: float | None = None
    place: str | None = None
    text: str | None = None
    phone: str | None = None
    category: str | None = None

    @property
    def located(self):
        return self.lat is not None and self.lon is not None


def search(session, *, geo=None, lat=None, lon=None, accuracy_m=None, q=None, phone=None, category=None,
           exclude_id=None, limit=LIMIT, now=None):
    """Possible duplicates of a call being typed (GET /api/incidents/possible-duplicates): without
    ``lat``/``lon`` the words ``q`` are located as the intake would locate them."""
    place = None
    if lat is None and q and geo is not None:
        located = locate_text(geo, q)
        if located.known:
            lat, lon, accuracy_m, place = located.lat, located.lon, located.precision_m, located.name
    key = number_of(phone, field="phone").number if phone else None
    probe = Probe(lat=lat, lon=lon, accuracy_m=accuracy_m, place=place, text=q, phone=key, category=category)
    return possible_duplicates(session, probe, now=now or utcnow(), exclude_id=exclude_id, limit=limit)


def possible_duplicates(session, probe, *, now, exclude_id=None, limit=LIMIT):
    """The open incidents ``probe`` is probably about, best first: ``[{"incident", "distance_m",
    "minutes_ago", "last_call_minutes_ago", "score", "why", "calls"}]``.

    Candidates are the open incidents with a call within WINDOW (within reach of the call's point)
    and those the same number called about; each is scored in Python (a handful: one hour's).
    """
    params = {"since": now - WINDOW, "exclude_id": exclude_id or 0}
    if probe.phone:
        params["phone"] = probe.phone
    if probe.located:
        params.update(lat=probe.lat, lon=probe.lon,
                      accuracy=probe.accuracy_m if probe.accuracy_m is not None else DEFAULT_ACCURACY_M)
    rows = session.execute(_statement(probe.located, bool(probe.phone)), params)
    words = _words(probe.text) | _words(probe.place)
    found = []
    for incident, at, same_caller in rows:
        scored = _score(probe, words, incident, at, now, bool(same_caller))
        if scored is not None:
            found.append(scored)
    found.sort(key=lambda item: (-item["score"], item["distance_m"] if item["distance_m"] is not None else 1e9,
                                 item["minutes_ago"]))
    found = found[:limit]
    if found:
        shown = [item["incident"] for item in found]
        units = {}
        # An incident never dispatched has no assignment (the first one stamps dispatched_at, and a
        # merge carries it over): the fresh calls of one crash ask nothing more.
        dispatched = [i.id for i in shown if i.dispatched_at is not None]
        for assignment in session.scalars(select(Assignment).where(Assignment.incident_id.in_(dispatched))
                                          .order_by(Assignment.id)) if dispatched else ():
            units.setdefault(assignment.incident_id, []).append(assignment)
        calls = _callers(session, [i.id for i in shown])
        for item, incident in zip(found, shown):
            set_committed_value(incident, "assignments", units.get(incident.id, []))
            item["calls"] = calls.get(incident.id, [])
    return found


@lru_cache(maxsize=None)
def _statement(located, with_phone):
    """The candidates' query, built once for each shape (with a point or not, with a number or not):
    the bound values change, the statement does not, so nothing is built again for each call.

    Candidates: open incidents with a call in the last hour (an index range scan of the calls by
    time), within reach of the call's point when it has one (or with no point of their own), and the
    open incidents this number called about (the calls by number, by the partial index
    ix_calls_caller_phone_incident_id). Each one's last call comes from the index on
    calls.incident_id. No "incident_id IS NOT NULL" on the calls by time: a null matches no incident
    anyway, and PostgreSQL would read the whole index on calls.incident_id to AND it in. The units of
    the incidents shown are read after: one round trip when nothing is found.
    """
    candidates = select(Call.incident_id).where(Call.received_at >= bindparam("since"))
    if with_phone:
        phone = bindparam("phone")
        candidates = union(candidates, select(Call.incident_id).where(Call.caller_phone == phone,
                                                                       Call.incident_id.isnot(None)))
        called = exists().where(Call.incident_id == Incident.id, Call.caller_phone == phone).correlate(Incident)
    else:
        called = literal(False)
    where = Incident.id.in_(candidates)
    if located:
        reach = 2 * (BASE_RADIUS_M + bindparam("accuracy", type_=Float)
                     + func.coalesce(Incident.location_accuracy_m, DEFAULT_ACCURACY_M))
        near = and_(func.abs(Incident.lat - bindparam("lat", type_=Float)) * _M_PER_DEGREE <= reach,
                    func.abs(Incident.lon - bindparam("lon", type_=Float)) * _M_PER_DEGREE <= reach)
        where = and_(where, or_(Incident.lat.is_(None), near, called))
    last_at = (select(func.max(Call.received_at)).where(Call.incident_id == Incident.id)
               .correlate(Incident).scalar_subquery())
    return (select(Incident, last_at, called).options(lazyload(Incident.assignments))
            .where(Incident.status.in_(INCIDENT_OPEN), where, Incident.id != bindparam("exclude_id")))


def _callers(session, ids):
    by_incident = {}
    for call in session.scalars(select(Call).where(Call.incident_id.in_(ids)).order_by(Call.received_at, Call.id)):
        by_incident.setdefault(call.incident_id, []).append(call)
    return by_incident


def _words(text):
    if not text:
        return frozenset()
    tokens, _ = analyse(text)
    return frozenset(t for t in tokens if len(t) >= 4 and not t.isdigit() and t not in _GENERIC)


def radius_m(probe_accuracy_m, incident_accuracy_m):
    """How far apart two reports of one event may be: BASE_RADIUS_M plus both uncertainties."""
    return (BASE_RADIUS_M + (probe_accuracy_m if probe_accuracy_m is not None else DEFAULT_ACCURACY_M)
            + (incident_accuracy_m if incident_accuracy_m is not None else DEFAULT_ACCURACY_M))


def _category(a, b):
    """+0.1 the same category, +0.05 the same group, -0.2 another group, 0 when either is 'other'."""
    if not a or not b or "other" in (a, b):
        return 0.0, None
    if a == b:
        return 0.1, "same_category"
    if _GROUP_OF.get(a) is not None and _GROUP_OF.get(a) == _GROUP_OF.get(b):
        return 0.05, "related_category"
    return -0.2, None


def _score(probe, words, incident, last_at, now, same_caller):
    why = []
    distance = None
    space = 0.0
    if probe.located and incident.lat is not None:
        distance = haversine_m(probe.lat, probe.lon, incident.lat, incident.lon)
        reach = radius_m(probe.accuracy_m, incident.location_accuracy_m)
        space = max(0.0, 1.0 - distance / (2 * reach))
        if distance <= reach:
            why.append("near")
    minutes = max(0.0, (now - last_at).total_seconds() / 60)
    time = max(0.0, 1.0 - minutes / (WINDOW.total_seconds() / 60))
    if time > 0:
        why.append("recent")
    if same_caller:
        why.append("same_caller")
    same_place = bool(probe.place and incident.location_name
                      and probe.place.casefold() == incident.location_name.casefold())
    if not same_place and words:
        same_place = bool(words & (_words(incident.location_text) | _words(incident.location_name)))
    far = distance is not None and "near" not in why and space == 0.0
    if same_place and not far:
        why.append("same_place")
    else:
        same_place = False
    category, category_reason = _category(probe.category, incident.category)
    if category_reason:
        why.append(category_reason)
    if not ("near" in why or same_caller or same_place):
        return None
    score = 0.5 * space + 0.2 * time + (0.3 if same_caller else 0) + (0.15 if same_place else 0) + category
    score = round(min(1.0, max(0.0, score)), 3)
    if score < MIN_SCORE:
        return None
    return {"incident": incident, "distance_m": None if distance is None else round(distance),
            "minutes_ago": round((now - incident.created_at).total_seconds() / 60, 1),
            "last_call_minutes_ago": round(minutes, 1), "score": score, "why": why}
