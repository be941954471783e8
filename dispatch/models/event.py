from datetime import datetime
from typing import Optional

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ..database import Base, BigIntPK, JSONType, UTCDateTime


class Event(Base):
    """The append-only audit log. Database triggers refuse UPDATE and DELETE."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    type: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    actor_username: Mapped[Optional[str]] = mapped_column(String(64))
    incident_id: Mapped[Optional[int]] = mapped_column(ForeignKey("incidents.id"), index=True)
    unit_id: Mapped[Optional[int]] = mapped_column(ForeignKey("units.id"), index=True)
    data: Mapped[dict] = mapped_column(JSONType)
    # When what it records happened, when that was before ``at`` (a paper card entered late); null:
    # at ``at``.
    occurred_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
