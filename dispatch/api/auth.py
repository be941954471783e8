from flask import current_app, g

from ..core import auth
from ..core.errors import InvalidInput
from ..extensions import db
from ..schemas.auth import LoginIn, LoginOut, UserOut
from .throttle import login_throttle
from .security import require
from .blueprint import Blueprint
from .openapi import RETRY_AFTER

blp = Blueprint("auth", __name__, url_prefix="/api/auth", description="Log in and out")


@blp.route("/login", methods=["POST"])
@blp.doc(security=[])
@blp.arguments(LoginIn)
@blp.response(200, LoginOut)
@blp.alt_response(401, description="invalid_credentials: wrong username or password")
@blp.alt_response(429, description="too_many_attempts: too many failed logins for the account or from the "
                  "address (`details.scope`: account or address; `details.retry_after_s`); Retry-After says when "
                  "to try again", headers={"Retry-After": RETRY_AFTER})
def login(body):
    """Exchange a username and password for a bearer token that expires. Failed logins are
    throttled per account and per address (429 ``too_many_attempts`` with ``Retry-After``)."""
    token, expires_at, user = auth.login(db.session, username=body["username"], password=body["password"],
                                         ttl_seconds=current_app.config["TOKEN_TTL_SECONDS"])
    return {"token": token, "expires_at": expires_at, "user": user}


@blp.route("/logout", methods=["POST"])
@require()
@blp.response(204)
def logout():
    """Revoke the token this request carries."""
    auth.logout(db.session, token=g.token)


@blp.route("/me")
@require()
@blp.response(200, UserOut)
def me():
    """The user the token belongs to."""
    return g.user


USERNAME_PARAMETER = {
    "in": "path", "name": "username", "required": True,
    "description": "the account, as typed at login (case and surrounding spaces do not matter)",
    "schema": {"type": "string", "minLength": 1, "maxLength": 64, "pattern": "^[^/\\x00]+$"},
}


@blp.route("/throttle/<string:username>", methods=["DELETE"], parameters=[USERNAME_PARAMETER])
@require("supervisor", "admin")
@blp.response(204)
@blp.alt_response(404, description="not_found: a username with '/' is no path of this server")
@blp.alt_response(422, description="validation_error: a username over 64 characters, or with a NUL character")
def clear_throttle(username):
    """Forget the failed logins counted against an account, so its user may log in again at once."""
    if len(username) > 64:
        raise InvalidInput("username is at most 64 characters", fields={"username": "too long"})
    if "\x00" in username:
        raise InvalidInput("username must not contain NUL characters", fields={"username": "NUL character"})
    login_throttle().clear(username)
    auth.record_throttle_cleared(db.session, actor=g.user, username=username.strip().lower())
