from datetime import datetime
from typing import Optional

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..database import Base, JSONType, UTCDateTime


class Setting(Base):
    """One group of the centre's settings (``timers``, ``dispatch``; core/settings.py): what a
    supervisor changed, over the defaults. No row: the defaults."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[dict] = mapped_column(JSONType)
    # Bumped on every change (a PUT may name the version it read: a lost update is refused).
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
