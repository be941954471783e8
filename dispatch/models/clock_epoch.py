from datetime import datetime

from sqlalchemy import Float, Integer
from sqlalchemy.orm import Mapped, mapped_column

from ..database import Base, UTCDateTime


class ClockEpoch(Base):
    """The epoch of a clock run faster (PSC_CLOCK_SPEED, core/clockstore.py): one row, shared by
    every server process and command on the database."""

    __tablename__ = "clock_epochs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    speed: Mapped[float] = mapped_column(Float)
    # A real moment, and the clock's time at it.
    real_epoch: Mapped[datetime] = mapped_column(UTCDateTime)
    epoch: Mapped[datetime] = mapped_column(UTCDateTime)
