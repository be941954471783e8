"""SQLAlchemy models. The schema itself is created only by the Alembic migrations."""
from ..database import Base
from .alert import Alert
from .assignment import Assignment
from .call import Call
from .callback import CallbackAttempt
from .caller import CallerBlock
from .client_request import ClientRequest
from .clock_epoch import ClockEpoch
from .device_session import DeviceSession
from .event import Event
from .hospital import Hospital
from .incident import Incident, IncidentCounter
from .setting import Setting
from .unit import Unit
from .user import ApiToken, User
from .zone import Zone

__all__ = [
    "Base", "Alert", "Assignment", "Call", "CallbackAttempt", "CallerBlock", "ClientRequest", "ClockEpoch", "DeviceSession", "Event", "Hospital",
    "Incident", "IncidentCounter", "Setting", "Unit", "ApiToken", "User", "Zone",
]
