from datetime import datetime
from typing import Optional

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..database import Base, UTCDateTime


class ClientRequest(Base):
    """A request a client sent with its own ``client_ref``, so that a retry changes nothing
    (``core/idempotency.py``).

    A ref belongs to one owner: a user (``kind`` ``call``: the console's id for a call) or a
    unit (``unit_status``: a status report, whoever sends it for the unit). ``request_hash`` is
    what was sent with it; ``result_id`` the row the request made, when it made one (the call).
    """

    __tablename__ = "client_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    unit_id: Mapped[Optional[int]] = mapped_column(ForeignKey("units.id"))
    client_ref: Mapped[str] = mapped_column(String(64))
    request_hash: Mapped[str] = mapped_column(String(64))
    result_id: Mapped[Optional[int]]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (
        UniqueConstraint("kind", "user_id", "client_ref", name="uq_client_requests_kind_user_id_client_ref"),
        UniqueConstraint("kind", "unit_id", "client_ref", name="uq_client_requests_kind_unit_id_client_ref"),
        CheckConstraint("(user_id IS NULL) <> (unit_id IS NULL)", name="one_owner"),
    )
