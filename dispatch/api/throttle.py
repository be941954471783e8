"""Login throttling with Flask-Limiter: failed logins are counted per account and per client
address, in Redis when ``REDIS_URL`` is set (every process shares one count) and in memory
otherwise. Only failures count (a 401 from ``/api/auth/login``); past the limit a login answers
429 ``too_many_attempts`` with ``Retry-After`` without checking the password, and each such
attempt is an ``auth.throttled`` event. The count decays: a moving window of
``LOGIN_THROTTLE_WINDOW_S``. A supervisor or admin clears an account's count
(``DELETE /api/auth/throttle/<username>``).
"""
import logging
import math
import time

from flask import current_app, request
from flask_limiter import Limiter, RateLimitExceeded
from limits import parse

from ..core import auth
from ..extensions import db
from .errors import error_response

log = logging.getLogger(__name__)

ACCOUNT_SCOPE, ADDRESS_SCOPE = "login-account", "login-address"


def attempted_username():
    """The account a login is for, as the count keys it (the body is read again: it is JSON)."""
    body = request.get_json(silent=True)
    username = body.get("username") if isinstance(body, dict) else None
    if not isinstance(username, str) or not username.strip():
        return "-"
    return username.strip().lower()[:64]


def client_address():
    return request.remote_addr or "-"


def _failed(response):
    return response.status_code == 401


class LoginThrottle:
    def __init__(self, app):
        config = app.config
        self.window_s = int(config["LOGIN_THROTTLE_WINDOW_S"])
        self.per_account = f"{int(config['LOGIN_FAILURES_PER_ACCOUNT'])} per {self.window_s} second"
        self.per_address = f"{int(config['LOGIN_FAILURES_PER_ADDRESS'])} per {self.window_s} second"
        self.prefix = config["LOGIN_THROTTLE_PREFIX"]
        self.limiter = Limiter(
            key_func=client_address, app=app,
            storage_uri=config.get("REDIS_URL") or "memory://",
            storage_options={"socket_connect_timeout": 2, "socket_timeout": 2} if config.get("REDIS_URL") else {},
            strategy="moving-window", key_prefix=self.prefix,
            # Redis lost: count in this process's memory meanwhile rather than refuse every login.
            in_memory_fallback_enabled=bool(config.get("REDIS_URL")), swallow_errors=True,
            headers_enabled=False,
        )
        self.by_account = self.limiter.shared_limit(self.per_account, ACCOUNT_SCOPE, key_func=attempted_username,
                                                    deduct_when=_failed)
        self.by_address = self.limiter.shared_limit(self.per_address, ADDRESS_SCOPE, key_func=client_address,
                                                    deduct_when=_failed)
        app.extensions["psc_login_throttle"] = self
        app.register_error_handler(RateLimitExceeded, self.throttled)

    def protect(self, view):
        return self.by_address(self.by_account(view))

    def throttled(self, exc):
        scope = "account" if exc.limit.scope == ACCOUNT_SCOPE else "address"
        current = self.limiter.current_limit
        retry_after = self.window_s
        if current is not None:
            retry_after = min(self.window_s, max(1, math.ceil(current.reset_at - time.time())))
        username, address = attempted_username(), client_address()
        try:
            auth.record_throttled(db.session, username=username, address=address, scope=scope,
                                  retry_after_s=retry_after)
        except Exception:   # the answer is 429 all the same
            log.exception("could not record a throttled login for %r from %s", username, address)
        log.warning("login throttled (%s) for %r from %s; retry after %d s", scope, username, address, retry_after)
        what = "this account" if scope == "account" else "this address"
        resp = error_response(429, "too_many_attempts",
                              f"too many failed logins for {what}; try again in {retry_after} s or ask a "
                              "supervisor to clear it", details={"scope": scope, "retry_after_s": retry_after})
        resp.headers["Retry-After"] = str(retry_after)
        return resp

    def clear(self, username):
        """Forget the failed logins counted for ``username`` (every process: the count is shared)."""
        key = username.strip().lower()[:64]
        args = ([self.prefix] if self.prefix else []) + [key, ACCOUNT_SCOPE]
        self.limiter.limiter.clear(parse(self.per_account), *args)


def login_throttle():
    return current_app.extensions["psc_login_throttle"]
