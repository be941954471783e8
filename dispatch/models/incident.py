from datetime import datetime
from typing import Optional

from sqlalchemy import Boolean, Enum, Float, ForeignKey, Integer, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..vocabulary import CATEGORIES, INCIDENT_STATUSES, PRIORITIES
from ..database import Base, UTCDateTime


class Incident(Base):
    __tablename__ = "incidents"

    id: Mapped[int] = mapped_column(primary_key=True)
    # PSC-YYYYMMDD-NNNN, local (WIB) date of the call.
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    category: Mapped[str] = mapped_column(
        Enum(*CATEGORIES, name="incident_category", native_enum=False, create_constraint=True)
    )
    priority: Mapped[str] = mapped_column(
        Enum(*PRIORITIES, name="incident_priority", native_enum=False, create_constraint=True)
    )
    status: Mapped[str] = mapped_column(
        Enum(*INCIDENT_STATUSES, name="incident_status", native_enum=False, create_constraint=True),
        index=True,
    )
    # Location: lat/lon are both null when the location is unknown.
    lat: Mapped[Optional[float]] = mapped_column(Float)
    lon: Mapped[Optional[float]] = mapped_column(Float)
    location_accuracy_m: Mapped[Optional[float]] = mapped_column(Float)
    # The words as the caller said them / the operator typed them: never rewritten by the system.
    location_text: Mapped[Optional[str]] = mapped_column(String(500))
    # The relation word in them ("depan", "dekat", ...; dispatch.geo.text.relation), or null.
    location_relation: Mapped[Optional[str]] = mapped_column(String(20))
    kelurahan: Mapped[Optional[str]] = mapped_column(String(100))
    kecamatan: Mapped[Optional[str]] = mapped_column(String(100))
    # Where the location came from (see vocabulary.LOCATION_SOURCES), how sure it is
    # (0..1) and what was matched: the place name and its kind (hospital, kelurahan, ...).
    location_source: Mapped[str] = mapped_column(String(20), default="unknown", server_default="unknown")
    location_confidence: Mapped[Optional[float]] = mapped_column(Float)
    location_name: Mapped[Optional[str]] = mapped_column(String(200))
    location_kind: Mapped[Optional[str]] = mapped_column(String(20))
    # How precise the point is (vocabulary.LOCATION_PRECISIONS): exact, place, road, kelurahan, ...
    location_precision: Mapped[str] = mapped_column(String(20), default="unknown", server_default="unknown")
    # Outside every kecamatan of the city: still served; kecamatan is then the nearest one.
    outside_service_area: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    complaint: Mapped[Optional[str]] = mapped_column(String(2000))
    notes: Mapped[Optional[str]] = mapped_column(Text)
    destination_hospital_id: Mapped[Optional[int]] = mapped_column(ForeignKey("hospitals.id"))
    outcome: Mapped[Optional[str]] = mapped_column(String(500))
    cancel_reason: Mapped[Optional[str]] = mapped_column(String(500))
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    # One timestamp per phase (the first time the incident reached it).
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    dispatched_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    on_scene_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    transporting_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    closed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Merged into another incident found to be the same event (status "merged"): the survivor.
    merged_into_id: Mapped[Optional[int]] = mapped_column(ForeignKey("incidents.id"), index=True)
    merged_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    # Opened by a call taken on paper and entered afterwards (core/late.py): its phase times are
    # the card's.
    entered_late_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    entered_late_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    # The unit offered to it when the unit came free while it waited (core/offers.py), when, and
    # its estimated road time then. An offer stands while the incident waits and the unit is free.
    offer_unit_id: Mapped[Optional[int]] = mapped_column(ForeignKey("units.id"))
    offered_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    offer_eta_s: Mapped[Optional[float]] = mapped_column(Float)

    assignments = relationship(
        "Assignment", back_populates="incident", order_by="Assignment.id", lazy="selectin"
    )
    destination_hospital = relationship("Hospital")
    merged_into = relationship("Incident", remote_side=[id], foreign_keys=[merged_into_id])

    @property
    def offer(self):
        """The incident itself when a unit was offered to it (its offer_* columns), else None."""
        return self if self.offer_unit_id is not None else None

    @property
    def entered_late(self):
        return self.entered_late_at is not None


class IncidentCounter(Base):
    """The last reference number handed out for one local day."""

    __tablename__ = "incident_counters"

    day: Mapped[str] = mapped_column(String(8), primary_key=True)  # YYYYMMDD, local
    last: Mapped[int] = mapped_column(Integer)
