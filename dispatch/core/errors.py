"""Errors raised by the domain core. The API layer maps each to an HTTP status."""


class DomainError(Exception):
    code = "error"

    def __init__(self, message, *, fields=None, code=None, details=None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}
        self.details = details or {}
        if code:
            self.code = code


class NotFound(DomainError):
    code = "not_found"


class Forbidden(DomainError):
    code = "forbidden"


class Unauthorized(DomainError):
    code = "unauthorized"


class InvalidInput(DomainError):
    code = "validation_error"


class Conflict(DomainError):
    code = "conflict"


class AlertNotOpen(Conflict):
    code = "alert_not_open"


class SettingsChanged(Conflict):
    code = "settings_changed"


class InvalidTransition(Conflict):
    code = "invalid_transition"


class UnitUnavailable(Conflict):
    code = "unit_unavailable"
