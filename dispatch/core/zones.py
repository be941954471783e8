"""Replacing the zone polygons with official boundaries, or going back to the shipped ones."""
from shapely.geometry import mapping
from sqlalchemy import delete, func, select

from ..database import writes
from ..geo.zones import ZoneDataError, ZoneIndex
from ..models import Zone
from . import events
from .clock import utcnow
from .errors import InvalidInput


@writes
def import_zones(session, *, data, source, actor=None):
    """Check the whole FeatureCollection first, then replace every zone in one transaction.

    A malformed file raises ``InvalidInput`` naming the feature; the zones in use stay.
    """
    try:
        index = ZoneIndex.from_geojson(data, source=source)
    except ZoneDataError as exc:
        raise InvalidInput(f"zones not imported: {exc}", fields={"file": str(exc)}) from None
    now = utcnow()
    session.execute(delete(Zone))
    session.add_all(
        Zone(kind=z.kind, name=z.name, code=z.code, kecamatan=z.kecamatan, geometry=mapping(z.geometry),
             source=source[:300], imported_at=now)
        for z in index.kecamatan + index.kelurahan
    )
    session.flush()
    events.record(session, "zones.imported", actor=actor,
                  data={"source": source, "kecamatan": len(index.kecamatan), "kelurahan": len(index.kelurahan)})
    session.commit()
    return index


@writes
def reset_zones(session, *, actor=None):
    """Drop imported zones: the shipped coarse polygons apply again."""
    removed = session.scalar(select(func.count(Zone.id)))
    session.execute(delete(Zone))
    events.record(session, "zones.imported", actor=actor, data={"source": "shipped", "kecamatan": 0, "kelurahan": 0})
    session.commit()
    return removed


def imported_count(session):
    return session.scalar(select(func.count(Zone.id)))
