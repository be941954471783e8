from datetime import datetime
from typing import Optional

from sqlalchemy import Enum, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import Base, UTCDateTime
from ..vocabulary import CALLBACK_OUTCOMES


class CallbackAttempt(Base):
    """One try at calling back a dropped or silent call (core/callbacks.py), with what came of it."""

    __tablename__ = "callback_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id"), index=True)
    outcome: Mapped[str] = mapped_column(
        Enum(*CALLBACK_OUTCOMES, name="callback_outcome", native_enum=False, create_constraint=True))
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    attempted_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    # reached_emergency: the incident the call-back opened (or an open one it was about).
    incident_id: Mapped[Optional[int]] = mapped_column(ForeignKey("incidents.id"))
    note: Mapped[Optional[str]] = mapped_column(String(500))

    attempted_by = relationship("User")
