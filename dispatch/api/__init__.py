"""The REST API under /api: thin views that validate, call the core and translate errors."""
from flask import request

from ..core.errors import DomainError
from .errors import error_response, handle_domain_error, handle_unexpected

BODY_METHODS = ("POST", "PUT", "PATCH")


def init_api(app, api):
    from . import alerts, auth, callbacks, callers, calls, events, geo, health, hospitals, incidents, maplayer, route, settings, stats, units, vocabulary, waiting

    from .blueprint import register_id_converter
    from .openapi import ErrorResponses, register_responses
    from .throttle import LoginThrottle

    api.init_app(app, spec_kwargs={"extra_plugins": [ErrorResponses(app)]})
    register_responses(api.spec)
    register_id_converter(app, api)
    for module in (health, auth, calls, callbacks, callers, incidents, units, hospitals, geo, maplayer, route, events, stats, vocabulary, waiting, alerts, settings):
        api.register_blueprint(module.blp)
    throttle = LoginThrottle(app)   # failed logins per account and per address (api/throttle.py)
    app.view_functions["auth.login"] = throttle.protect(app.view_functions["auth.login"])
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(Exception, handle_unexpected)

    @app.before_request
    def _require_json_body():
        if (request.method in BODY_METHODS and request.path.startswith("/api/")
                and request.content_length and not request.is_json):
            return error_response(415, "unsupported_media_type",
                                  "send the request body as JSON (Content-Type: application/json)",
                                  {"_body": "not JSON"})
        return None
