from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ..database import Base, UTCDateTime


class DeviceSession(Base):
    """One live connection of a crew's phone, held by one server process.

    A unit's device counts as connected while it has at least one session that its server
    keeps alive (``seen_at``, refreshed by the server's heartbeat). A server that dies
    (SIGKILL, power) stops refreshing; another server expires its sessions
    (``core.presence``)."""

    __tablename__ = "device_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    sid: Mapped[str] = mapped_column(String(64), unique=True)
    server: Mapped[str] = mapped_column(String(120), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    connected_at: Mapped[datetime] = mapped_column(UTCDateTime)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
