"""What the OpenAPI document says each operation may answer, besides what its view declares.

Every error the server gives is listed on the operations that can give it (there is no catch-all
``default`` response), each with the one error body and the headers that come with it:

- 401 (with ``WWW-Authenticate``) where a token is required, 403 where the roles are restricted;
- 404 where the path holds an id (an unknown or out-of-range one);
- 400, 413 and 415 where a JSON body is read, 415 on any POST/PUT/PATCH sent a body that is not JSON;
- 503 ``database_unavailable`` (with ``Retry-After``) everywhere: every operation reads the database.

Errors that depend on what a view does (409s, a 404 for an id in the body, a crew's 403) are
declared on the view with ``@blp.alt_response`` (``schema=None``: the error body is filled in here).
"""
from apispec import BasePlugin

from ..schemas.common import ErrorSchema
from ..vocabulary import ROLES
from .errors import RETRY_AFTER_S

ERROR_REF = {"$ref": "#/components/schemas/Error"}
BODY_METHODS = ("post", "put", "patch")

RETRY_AFTER = {"description": "seconds to wait before trying again", "schema": {"type": "integer", "minimum": 1}}

RESPONSES = {
    "MalformedJson": (400, "malformed_json: the body is not valid JSON", None),
    "Unauthorized": (401, "unauthorized: no token; invalid_token: the token is unknown, expired or revoked",
                     {"WWW-Authenticate": {"description": 'Bearer realm="psc119"', "schema": {"type": "string"}}}),
    "Forbidden": (403, "forbidden: this role may not do this", None),
    "NotFound": (404, "not_found: no such id (ids are 1 to 2147483647)", None),
    "PayloadTooLarge": (413, "payload_too_large: the body is over 256 kB", None),
    "UnsupportedMediaType": (415, "unsupported_media_type: a body that is not JSON (Content-Type: application/json)",
                             None),
    "DatabaseUnavailable": (503, "database_unavailable: the database cannot be reached or cannot write just now; "
                            f"nothing was saved; try again after Retry-After ({RETRY_AFTER_S} s)",
                            {"Retry-After": RETRY_AFTER}),
}


def register_responses(spec):
    """The shared error responses, as components (call before the blueprints are registered)."""
    for name, (_status, description, headers) in RESPONSES.items():
        response = {"description": description, "content": {"application/json": {"schema": ErrorSchema}}}
        if headers:
            response["headers"] = headers
        spec.components.response(name, response)


class ErrorResponses(BasePlugin):
    """apispec plugin: completes each operation's responses from its route and its view."""

    def __init__(self, app):
        self.app = app

    def schema_helper(self, name, definition, **kwargs):
        """A schema's rules across its fields (``JSON_SCHEMA`` on the marshmallow schema: OpenAPI 3.1
        is JSON Schema 2020-12, so ``if``/``then``, ``dependentRequired``, ``minProperties``)."""
        schema = kwargs.get("schema")
        cls = schema if isinstance(schema, type) else type(schema)
        return getattr(cls, "JSON_SCHEMA", None)

    def operation_helper(self, path=None, operations=None, **kwargs):
        rule = kwargs.get("rule")
        if rule is None or not operations:
            return
        view = self.app.view_functions.get(rule.endpoint)
        roles = getattr(view, "_roles", None)   # set by security.require; None: no token needed
        has_id = "<id:" in rule.rule
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            # flask-smorest's keys are ints, ours strings: one key per status.
            responses = {str(status): response for status, response in operation["responses"].items()}
            extra = {}
            if method in BODY_METHODS:
                extra["415"] = "UnsupportedMediaType"
                if "requestBody" in operation:
                    extra.update({"400": "MalformedJson", "413": "PayloadTooLarge"})
            if roles is not None:
                extra["401"] = "Unauthorized"
                if roles and set(roles) != set(ROLES):
                    extra["403"] = "Forbidden"
            if has_id:
                extra["404"] = "NotFound"
            extra["503"] = "DatabaseUnavailable"
            for status, name in extra.items():
                responses.setdefault(status, name)
            for status, response in responses.items():
                # An error declared by a view with a description only: the one error body.
                if (isinstance(response, dict) and status[0] in "45" and "content" not in response
                        and "$ref" not in response):
                    response["content"] = {"application/json": {"schema": dict(ERROR_REF)}}
            operation["responses"] = dict(sorted(responses.items()))
