from datetime import datetime
from typing import Optional

from sqlalchemy import Boolean, Enum, Float, ForeignKey, Integer, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..vocabulary import CAPABILITIES, UNIT_STATUSES
from ..database import Base, UTCDateTime


class Unit(Base):
    """An ambulance, with its status and its last known position."""

    __tablename__ = "units"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_sign: Mapped[str] = mapped_column(String(16), unique=True)
    capability: Mapped[str] = mapped_column(
        Enum(*CAPABILITIES, name="unit_capability", native_enum=False, create_constraint=True)
    )
    station_name: Mapped[str] = mapped_column(String(200))
    station_lat: Mapped[float] = mapped_column(Float)
    station_lon: Mapped[float] = mapped_column(Float)
    # The hospital or puskesmas the unit is stationed at, when it is one (its name and position
    # were copied into station_*).
    station_facility_id: Mapped[Optional[int]] = mapped_column(ForeignKey("hospitals.id"))
    status: Mapped[str] = mapped_column(
        Enum(*UNIT_STATUSES, name="unit_status", native_enum=False, create_constraint=True)
    )
    status_changed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    lat: Mapped[Optional[float]] = mapped_column(Float)
    lon: Mapped[Optional[float]] = mapped_column(Float)
    position_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    position_accuracy_m: Mapped[Optional[float]] = mapped_column(Float)
    speed_mps: Mapped[Optional[float]] = mapped_column(Float)
    heading: Mapped[Optional[float]] = mapped_column(Float)
    # Presence (core.presence): whether the crew's phone is connected, and whether the last
    # fix is older than POSITION_STALE_S; each change of either is an event.
    device_connected: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    device_changed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    position_stale: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # The ``version`` at which the unit's becoming available was last looked at for an offer
    # (core/offers.py: a compare-and-set, so each time it comes free is offered once). A new unit
    # starts looked at: it simply shows as available.
    offer_version: Mapped[Optional[int]] = mapped_column(Integer, default=1)
    # Bumped on every status change; lets clients and tests see lost updates.
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    current_assignment = relationship(
        "Assignment",
        primaryjoin="and_(Assignment.unit_id == Unit.id, Assignment.active)",
        uselist=False,
        viewonly=True,
        lazy="selectin",
    )
