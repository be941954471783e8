from flask import current_app, g

from ..core import auth
from ..core.errors import InvalidInput
from ..extensions import db
from ..schemas.auth import LoginIn, LoginOut, UserOut
from .throttle import login_throttle
from .security import require
from .blueprint import Blueprint

blp = Blueprint("auth", __name__, url_prefix="/api/auth", description="Log in and out")


@blp.route("/login", methods=["POST"])
@blp.doc(security=[])
@blp.arguments(LoginIn)
@blp.response(200, LoginOut)
@blp.alt_response(429, description="too_many_attempts: too many failed logins for the account or from the "
                  "address; Retry-After says when to try again")
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


@blp.route("/throttle/<string:username>", methods=["DELETE"])
@require("supervisor", "admin")
@blp.response(204)
def clear_throttle(username):
    """Forget the failed logins counted against an account, so its user may log in again at once."""
    if len(username) > 64:
        raise InvalidInput("username is at most 64 characters", fields={"username": "too long"})
    login_throttle().clear(username)
    auth.record_throttle_cleared(db.session, actor=g.user, username=username.strip().lower())
