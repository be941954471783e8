from datetime import datetime
from typing import Optional

from sqlalchemy import Boolean, Enum, Float, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..vocabulary import ASSIGNMENT_STATUSES
from ..database import Base, UTCDateTime


class Assignment(Base):
    """One unit sent to one incident. An incident may have several."""

    __tablename__ = "assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    status: Mapped[str] = mapped_column(
        Enum(*ASSIGNMENT_STATUSES, name="assignment_status", native_enum=False, create_constraint=True)
    )
    active: Mapped[bool] = mapped_column(Boolean)
    assigned_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    recommended_unit_id: Mapped[Optional[int]] = mapped_column(ForeignKey("units.id"))
    # Estimated travel seconds, when dispatched, of the unit sent and of the one recommended first.
    eta_s: Mapped[Optional[float]] = mapped_column(Float)
    recommended_eta_s: Mapped[Optional[float]] = mapped_column(Float)
    hospital_id: Mapped[Optional[int]] = mapped_column(ForeignKey("hospitals.id"))
    dispatched_at: Mapped[datetime] = mapped_column(UTCDateTime)
    accepted_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    # When operators were told that the crew had not accepted in time (at most once).
    unacknowledged_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    en_route_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    on_scene_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    transporting_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    at_hospital_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    cleared_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    cancel_reason: Mapped[Optional[str]] = mapped_column(String(500))
    # From a paper card entered afterwards (core/late.py): never active, its unit's state untouched.
    entered_late_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    # Sent by the system, not a dispatcher (assigned_by_id null): the rule that did it
    # ("auto_dispatch:P1", core/offers.py).
    auto_rule: Mapped[Optional[str]] = mapped_column(String(40))
    incident = relationship("Incident", back_populates="assignments")
    unit = relationship("Unit", foreign_keys=[unit_id])

    __table_args__ = (
        # A unit works at most one assignment at a time, whatever the code above does.
        Index(
            "uq_assignments_active_unit", "unit_id", unique=True,
            sqlite_where=text("active"), postgresql_where=text("active"),
        ),
    )
