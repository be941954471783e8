from datetime import datetime
from typing import Optional

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from ..database import Base, JSONType, UTCDateTime


class Zone(Base):
    """An imported kelurahan or kecamatan polygon; when there are none, the shipped coarse zones apply."""

    __tablename__ = "zones"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(100))
    code: Mapped[Optional[str]] = mapped_column(String(32))
    kecamatan: Mapped[Optional[str]] = mapped_column(String(100))
    geometry: Mapped[dict] = mapped_column(JSONType)  # GeoJSON geometry, [lon, lat]
    source: Mapped[str] = mapped_column(String(300))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime)
