from datetime import datetime
from typing import Optional

from sqlalchemy import Enum, Float, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..vocabulary import DISPOSITIONS
from ..database import Base, JSONType, UTCDateTime
from ..phones import display


class Call(Base):
    """One call to 119, whatever it turned out to be."""

    __tablename__ = "calls"
    # A caller's history (core/callers.py): every call of one number, newest first.
    # The incidents a number called about (core/duplicates.py): only the calls with an incident, so a
    # number with thousands of prank calls is still one short index range.
    __table_args__ = (Index("ix_calls_caller_phone_received_at", "caller_phone", "received_at"),
                      # The call-back queue (core/callbacks.py): the dropped and silent calls not yet done.
                      Index("ix_calls_callback_waiting", "received_at",
                            postgresql_where=text("disposition IN ('dropped', 'silent') AND callback_done_at IS NULL"),
                            sqlite_where=text("disposition IN ('dropped', 'silent') AND callback_done_at IS NULL")),
                      Index("ix_calls_caller_phone_incident_id", "caller_phone", "incident_id",
                            postgresql_where=text("incident_id IS NOT NULL"),
                            sqlite_where=text("incident_id IS NOT NULL")))

    id: Mapped[int] = mapped_column(primary_key=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    # The number normalised (dispatch/phones.py: E.164, or a short number as dialled), and as typed.
    caller_phone: Mapped[str] = mapped_column(String(32))
    caller_phone_as_given: Mapped[Optional[str]] = mapped_column(String(40))
    # What the caller's history said when the call was taken: "repeat_prank", "blocked", ...
    caller_flags: Mapped[Optional[list]] = mapped_column(JSONType, default=list)
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
    # The incident the call is about: the one it opened, or the one it repeats (a duplicate).
    incident_id: Mapped[Optional[int]] = mapped_column(ForeignKey("incidents.id"), index=True)
    # The incident this call opened (an emergency), kept when the call is linked to another one and
    # its own merged into it: unlinking the call brings that incident back.
    opened_incident_id: Mapped[Optional[int]] = mapped_column(ForeignKey("incidents.id"))

    # A dropped or silent call is called back until one attempt reaches someone or finds a wrong
    # number: then it leaves the queue (core/callbacks.py).
    callback_done_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    # A call taken on paper while the system was down, entered afterwards (core/late.py): when and by
    # whom. ``received_at`` is then the time on the card.
    entered_late_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    entered_late_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))

    incident = relationship("Incident", foreign_keys=[incident_id])
    opened_incident = relationship("Incident", foreign_keys=[opened_incident_id])
    taken_by = relationship("User", foreign_keys=[taken_by_id])

    @property
    def entered_late(self):
        return self.entered_late_at is not None

    @property
    def caller_phone_display(self):
        return display(self.caller_phone)
