from datetime import datetime
from typing import Optional

from sqlalchemy import Boolean, Enum, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import Base, UTCDateTime
from ..vocabulary import ALERT_KINDS, ALERT_STATES


class Alert(Base):
    """A timer run out (core/alerts.py): raised once per cause, acknowledged by an operator,
    resolved by itself when its cause ends."""

    __tablename__ = "alerts"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(Enum(*ALERT_KINDS, name="alert_kind", native_enum=False,
                                           create_constraint=True, length=30))
    # The cause: its kind, what it is about and since when ("incident_waiting:12:2026-...").
    # Unique: however many server processes sweep, one cause raises one alert.
    key: Mapped[str] = mapped_column(String(120), unique=True)
    state: Mapped[str] = mapped_column(Enum(*ALERT_STATES, name="alert_state", native_enum=False,
                                            create_constraint=True), index=True)
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    incident_id: Mapped[Optional[int]] = mapped_column(ForeignKey("incidents.id"), index=True)
    unit_id: Mapped[Optional[int]] = mapped_column(ForeignKey("units.id"))
    assignment_id: Mapped[Optional[int]] = mapped_column(ForeignKey("assignments.id"))
    call_id: Mapped[Optional[int]] = mapped_column(ForeignKey("calls.id"))
    hospital_id: Mapped[Optional[int]] = mapped_column(ForeignKey("hospitals.id"))
    # When the cause began, and the limit (seconds) it ran past.
    since: Mapped[datetime] = mapped_column(UTCDateTime)
    limit_s: Mapped[int] = mapped_column(Integer)
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime)
    acknowledged_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    acknowledged_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    note: Mapped[Optional[str]] = mapped_column(String(500))
    resolved_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    # What the consoles show of what it is about (many-to-one: loaded with it).
    incident = relationship("Incident", lazy="joined")
    unit = relationship("Unit", lazy="joined")
    call = relationship("Call", lazy="joined")
    hospital = relationship("Hospital", lazy="joined")
    acknowledged_by = relationship("User", lazy="joined")
