from datetime import datetime
from typing import Optional

from sqlalchemy import Boolean, Enum, Float, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..vocabulary import HOSPITAL_STATUSES
from ..database import Base, UTCDateTime


class Hospital(Base):
    __tablename__ = "hospitals"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    short_name: Mapped[Optional[str]] = mapped_column(String(64))
    address: Mapped[str] = mapped_column(String(300))
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
