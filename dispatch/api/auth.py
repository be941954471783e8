from flask import current_app, g

from ..core import auth
from ..extensions import db
from ..schemas.auth import LoginIn, LoginOut, UserOut
from .security import require
from .blueprint import Blueprint

blp = Blueprint("auth", __name__, url_prefix="/api/auth", description="Log in and out")


@blp.route("/login", methods=["POST"])
@blp.doc(security=[])
@blp.arguments(LoginIn)
@blp.response(200, LoginOut)
def login(body):
    """Exchange a username and password for a bearer token that expires."""
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
