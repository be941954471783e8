from datetime import datetime
from typing import Optional

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import Base, UTCDateTime


class CallerBlock(Base):
    """A supervisor's soft block of one number: it only warns (a call from it needs a confirmation).

    Lifted early by ``lifted_at``; over by itself at ``until``. Kept forever, like the calls.
    """

    __tablename__ = "caller_blocks"
    __table_args__ = (Index("ix_caller_blocks_phone_until", "phone", "until"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    phone: Mapped[str] = mapped_column(String(32))          # normalised, like calls.caller_phone
    reason: Mapped[str] = mapped_column(String(500))
    until: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    lifted_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    lifted_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))

    created_by = relationship("User", foreign_keys=[created_by_id])
    lifted_by = relationship("User", foreign_keys=[lifted_by_id])
