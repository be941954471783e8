from datetime import datetime
from typing import Optional

from sqlalchemy import Boolean, CheckConstraint, Enum, Float, Integer, String, false
from sqlalchemy.orm import Mapped, mapped_column

from ..vocabulary import FACILITY_KINDS, HOSPITAL_STATUSES
from ..database import Base, UTCDateTime


class Hospital(Base):
    """A place that takes patients: a hospital or a puskesmas (``kind``)."""
    __tablename__ = "hospitals"
    __table_args__ = (CheckConstraint("kind IN ({})".format(", ".join(f"'{k}'" for k in FACILITY_KINDS)),
                                      name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    short_name: Mapped[Optional[str]] = mapped_column(String(64))
    address: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(16), default="hospital", server_default="hospital")
    # True when the position was estimated from the address (the puskesmas), not surveyed.
    position_estimated: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    has_emergency: Mapped[bool] = mapped_column(Boolean, default=True)
    has_icu: Mapped[bool] = mapped_column(Boolean, default=False)
    has_maternity: Mapped[bool] = mapped_column(Boolean, default=False)
    has_trauma: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(
        Enum(*HOSPITAL_STATUSES, name="hospital_status", native_enum=False, create_constraint=True),
        default="open",
    )
    beds_available: Mapped[Optional[int]] = mapped_column(Integer)
    beds_reported_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
