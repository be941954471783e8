from datetime import datetime
from typing import Optional

from sqlalchemy import Enum, Float, ForeignKey, String
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

    incident = relationship("Incident")
    taken_by = relationship("User")
