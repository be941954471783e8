"""Bearer-token authentication and the role check every endpoint declares."""
from functools import wraps

from flask import g, request

from ..core import auth
from ..core.errors import Forbidden, Unauthorized
from ..extensions import db


def bearer_token():
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def require(*roles):
    """Let the request through only with a valid token whose user has one of ``roles``."""

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            token = bearer_token()
            if token is None:
                raise Unauthorized("log in first: send 'Authorization: Bearer <token>'")
            user = auth.user_for_token(db.session, token)
            if user is None:
                raise Unauthorized("the token is unknown, expired or revoked; log in again",
                                   code="invalid_token")
            if roles and user.role not in roles:
                raise Forbidden(f"a {user.role} may not do this")
            g.user = user
            g.token = token
            return view(*args, **kwargs)

        wrapper._roles = roles
        return wrapper

    return decorator


def current_user():
    return g.user
