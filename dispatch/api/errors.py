"""One error shape for the whole API: ``{"error": {"code", "message", "fields"}}``.

Domain errors, validation errors (webargs/marshmallow), HTTP errors and anything
unexpected are all translated here.
"""
import logging

from flask import jsonify
from flask_smorest import Api
from werkzeug.exceptions import HTTPException

from ..core import errors as domain
from ..schemas.common import ErrorSchema

log = logging.getLogger(__name__)

STATUS_OF = [
    (domain.NotFound, 404),
    (domain.Unauthorized, 401),
    (domain.Forbidden, 403),
    (domain.InvalidInput, 422),
    (domain.Conflict, 409),
]

CODE_OF_STATUS = {
    400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
    405: "method_not_allowed", 409: "conflict", 413: "payload_too_large",
    415: "unsupported_media_type", 422: "validation_error", 429: "too_many_requests",
    503: "database_unavailable",
}


def error_response(status, code, message, fields=None, details=None):
    body = {"code": code, "message": message, "fields": fields or {}}
    if details:
        body["details"] = details
    resp = jsonify({"error": body})
    resp.status_code = status
    if status == 401:
        resp.headers["WWW-Authenticate"] = 'Bearer realm="psc119"'
    return resp


def flatten_messages(messages, prefix=""):
    """marshmallow's nested ``{"field": ["msg"]}`` -> ``{"field": "msg"}`` (dotted paths); what is
    wrong with a nested object as a whole (not an object) is named by its field."""
    flat = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            path = prefix if prefix and key == "_schema" else f"{prefix}.{key}" if prefix else str(key)
            if isinstance(value, dict):
                flat.update(flatten_messages(value, path))
            elif isinstance(value, (list, tuple)):
                if value and all(isinstance(v, str) for v in value):
                    flat[path] = "; ".join(value)
                else:
                    for i, v in enumerate(value):
                        flat.update(flatten_messages(v if isinstance(v, dict) else {str(i): v}, path))
            else:
                flat[path] = str(value)
    elif messages:
        flat[prefix or "_schema"] = str(messages)
    return flat


def handle_domain_error(exc):
    status = next(s for cls, s in STATUS_OF + [(domain.DomainError, 400)] if isinstance(exc, cls))
    return error_response(status, exc.code, exc.message, exc.fields, exc.details)


# Seconds a client is asked to wait before trying again while the database is unavailable.
RETRY_AFTER_S = 5


def database_unavailable_response():
    resp = error_response(503, "database_unavailable", "the database cannot be reached or cannot write just "
                          "now; nothing was saved; try again shortly")
    resp.headers["Retry-After"] = str(RETRY_AFTER_S)
    return resp


def handle_unexpected(exc):
    from ..database import is_unavailable, safe_rollback
    from ..extensions import db

    if db.session is not None:
        safe_rollback(db.session)
    if is_unavailable(exc):
        log.warning("database unavailable: %s", exc)
        return database_unavailable_response()
    if isinstance(exc, HTTPException):
        return with_headers(error_response(exc.code or 500, CODE_OF_STATUS.get(exc.code, "error"), exc.description),
                            exc)
    log.exception("unhandled error")
    return error_response(500, "internal_error", "internal server error; the change was not saved")


class JsonErrorApi(Api):
    """flask-smorest's Api with this project's error shape."""

    ERROR_SCHEMA = ErrorSchema
    # No catch-all response in the document: each operation lists the errors it gives (api/openapi.py).
    DEFAULT_ERROR_RESPONSE_NAME = None

    def handle_http_exception(self, error):
        status = error.code or 500
        data = getattr(error, "data", None) or {}
        messages = data.get("messages")
        if status == 422 and messages:
            # webargs: {"json": {...}} or {"query": {...}}; name the fields only.
            inner = {}
            for location_messages in messages.values():
                inner.update(location_messages if isinstance(location_messages, dict) else {"_schema": location_messages})
            fields = flatten_messages(inner)
            return error_response(422, "validation_error", "invalid field(s): " + ", ".join(sorted(fields)), fields)
        if status == 400 and messages:
            return error_response(400, "malformed_json", "the request body is not valid JSON",
                                  {"_body": "not valid JSON"})
        message = data.get("message") or (error.description if isinstance(error, HTTPException) else str(error))
        return with_headers(error_response(status, CODE_OF_STATUS.get(status, "error"), message), error)


def with_headers(resp, error):
    """The headers an HTTP error comes with (a 405's ``Allow``), on the JSON error that answers it."""
    if isinstance(error, HTTPException):
        for name, value in error.get_headers():
            if name.lower() != "content-type":
                resp.headers[name] = value
    return resp
