from datetime import datetime
from typing import Optional

from sqlalchemy import Enum, Float, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..vocabulary import DISPOSITIONS
from ..database import Base, UTCDateTime


class Call(Base):
    """One call to 119, whatever it turned out to be."""

    __tablename__ = "calls"

    id: Mapped[int] = mapped_column(primary_key=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    caller_phone: Mapped[str] = mapped_column(String(32))
    caller_name: Mapped[Optional[str]] = mapped_column(String(200))
    location_text: Mapped[Optional[str]] = mapped_column(String(500))
    lat: Mapped[Optional[float]] = mapped_column(Float)
    lon: Mapped[Optional[float]] = mapped_column(Float)
    location_accuracy_m: Mapped[Optional[float]] = mapped_column(Float)
    complaint: Mapped[Optional[str]] = mapped_column(String(2000))
    disposition: Mapped[str] = mapped_column(
        Enum(*DISPOSITIONS, name="call_disposition", native_enum=False, create_constraint=True)
    )
    taken_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    incident_id: Mapped[Optional[int]] = mapped_column(ForeignKey("incidents.id"), index=True)

    # A console's own id for the call (one per user), and what was sent with it: a retry after a
    # lost answer finds the call instead of storing it twice.
    client_ref: Mapped[Optional[str]] = mapped_column(String(64))
    request_hash: Mapped[Optional[str]] = mapped_column(String(64))

    incident = relationship("Incident")
    taken_by = relationship("User")

    __table_args__ = (UniqueConstraint("taken_by_id", "client_ref", name="uq_calls_taken_by_client_ref"),)
