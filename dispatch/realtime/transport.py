"""What the hub needs to know of Engine.IO's transport: how much waits unsent on a
connection, and how to cut off one that does not read.

Engine.IO queues every message for a connection in an unbounded queue, drained by a
writer thread that blocks in ``send()`` once the client stops reading and the TCP buffers
are full. The hub reads the queue's length (:meth:`Transport.backlog`) and stops adding
to it at its limit. To cut a connection off, closing the Engine.IO socket is not enough:
its writer would stay blocked in ``send()`` for as long as the peer keeps the TCP
connection open. :class:`Transport` therefore remembers the TCP socket under each
websocket (a WSGI middleware sees it in the request's environ: ``werkzeug.socket`` under
the development server, ``gunicorn.socket`` under gunicorn) and shuts it down, which
frees the writer, the reader and their buffers at once.

It also tells the hub of each Engine.IO transport as it opens (before any token is seen: the
hub may refuse it, and closes it when it does not authenticate in time) and as it closes, and
checks the ``Origin`` of each handshake (:func:`origin_check`).
"""
import logging
import socket
import threading
from urllib.parse import parse_qs

log = logging.getLogger(__name__)

_SOCKET_KEYS = ("werkzeug.socket", "gunicorn.socket")
# Where the Engine.IO session id of a connection is noted in its WSGI environ (for the handlers).
EIO_SID_KEY = "psc119.eio_sid"


def _raw_socket(environ):
    for key in _SOCKET_KEYS:
        sock = environ.get(key)
        if sock is not None:
            return sock
    return None


def _no_delay(sock):
    """Small live messages go out at once: no Nagle delay (up to 40 ms against the client's
    delayed ACK). gunicorn sets this itself; Werkzeug's server does not."""
    if sock is None:
        return
    try:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    except (OSError, AttributeError):
        pass


def _own_origins(environ):
    """The origins this request was addressed to: its scheme and Host, and those a reverse
    proxy reports (X-Forwarded-Proto/-Host), as Engine.IO's own same-origin check has them."""
    host = environ.get("HTTP_HOST")
    if not host:
        return set()
    scheme = environ.get("wsgi.url_scheme", "http")
    origins = {f"{scheme}://{host}"}
    if "HTTP_X_FORWARDED_PROTO" in environ or "HTTP_X_FORWARDED_HOST" in environ:
        fwd_scheme = environ.get("HTTP_X_FORWARDED_PROTO", scheme).split(",")[0].strip()
        fwd_host = environ.get("HTTP_X_FORWARDED_HOST", host).split(",")[0].strip()
        origins.add(f"{fwd_scheme}://{fwd_host}")
    return origins


def origin_check(allowed=()):
    """Engine.IO's ``cors_allowed_origins``: a handshake that carries an ``Origin`` is accepted
    from this server's own origin and from ``allowed`` only (a page elsewhere cannot open a
    socket here). One without ``Origin`` (a native app, python-socketio) is not a browser's
    cross-site request and goes on to the token check like any other."""
    allowed = {o.rstrip("/") for o in allowed if o}

    def check(origin, environ=None):
        origin = (origin or "").rstrip("/")
        if not origin:
            return False     # (asked for CORS headers: none without an Origin)
        ok = origin in allowed or origin in _own_origins(environ or {})
        if not ok:
            log.warning("socket handshake refused: origin %r is not allowed", origin[:100])
        return ok

    return check


class Transport:
    def __init__(self, server, namespace="/"):
        self.server = server            # the python-socketio Server
        self.namespace = namespace
        self._upgraded = {}             # engine.io sid -> TCP socket of its websocket (after an upgrade)
        self._lock = threading.Lock()

    def middleware(self, wsgi_app, path="/socket.io"):
        """Wrap the app so that each websocket request's TCP socket is known while it lasts."""

        def app(environ, start_response):
            query = environ.get("QUERY_STRING", "")
            if not environ.get("PATH_INFO", "").startswith(path) or "transport=websocket" not in query:
                return wsgi_app(environ, start_response)
            eio_sid = (parse_qs(query).get("sid") or [None])[0]
            sock = _raw_socket(environ)
            _no_delay(sock)
            if eio_sid is None or sock is None:
                return wsgi_app(environ, start_response)  # a websocket from the start: its environ has it
            with self._lock:
                self._upgraded[eio_sid] = sock
            try:
                return wsgi_app(environ, start_response)
            finally:
                with self._lock:
                    self._upgraded.pop(eio_sid, None)

        return app

    def on_transport(self, opened, closed):
        """``opened(eio_sid, address)`` when Engine.IO accepts a transport (False refuses it:
        the client gets 401 before anything is kept), ``closed(eio_sid)`` when it ends."""
        eio = self.server.eio
        connect, disconnect = eio.handlers["connect"], eio.handlers["disconnect"]

        def on_connect(eio_sid, environ):
            environ[EIO_SID_KEY] = eio_sid
            if not opened(eio_sid, environ.get("REMOTE_ADDR")):
                log.warning("socket refused: too many unauthenticated connections from %s",
                            environ.get("REMOTE_ADDR"))
                return False
            return connect(eio_sid, environ)

        def on_disconnect(eio_sid, *args):
            try:
                return disconnect(eio_sid, *args)
            finally:
                closed(eio_sid)

        eio.on("connect", on_connect)
        eio.on("disconnect", on_disconnect)

    def is_open(self, eio_sid):
        eio_socket = self.server.eio.sockets.get(eio_sid)
        return eio_socket is not None and not eio_socket.closed and not eio_socket.closing

    def close_transport(self, eio_sid):
        """Close an Engine.IO connection (one that never authenticated) and the TCP connection
        of its websocket, which frees the server thread it holds."""
        eio_socket = self.server.eio.sockets.get(eio_sid)
        if eio_socket is None:
            return
        sock = self._tcp_socket(eio_sid)
        eio_socket.close(wait=False, abort=True)
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self.server.eio.sockets.pop(eio_sid, None)

    def _tcp_socket(self, eio_sid):
        with self._lock:
            sock = self._upgraded.get(eio_sid)
        if sock is None:
            environ = self.server.environ.get(eio_sid) or {}
            if "transport=websocket" in environ.get("QUERY_STRING", ""):
                sock = _raw_socket(environ)   # a websocket from the start
        return sock

    def _engineio_socket(self, sid):
        try:
            eio_sid = self.server.manager.eio_sid_from_sid(sid, self.namespace)
        except (KeyError, TypeError):
            return None, None
        if eio_sid is None:
            return None, None
        return eio_sid, self.server.eio.sockets.get(eio_sid)

    def backlog(self, sid):
        """Messages queued for ``sid`` and not yet written out (None: no such connection)."""
        _, eio_socket = self._engineio_socket(sid)
        if eio_socket is None or eio_socket.closed:
            return None
        return eio_socket.queue.qsize()

    def cut_off(self, sid, *, graceful=False):
        """Close a connection that does not read, and free what it holds. ``graceful``: the
        client still gets what is queued for it (a reason, say), then the close; nothing waits."""
        eio_sid, eio_socket = self._engineio_socket(sid)
        if eio_socket is None:
            return
        if graceful:
            eio_socket.close(wait=False, abort=False)
            return
        with self._lock:
            sock = self._upgraded.get(eio_sid)
        if sock is None:
            try:
                sock = _raw_socket(self.server.get_environ(sid, self.namespace) or {})
            except (KeyError, TypeError):
                sock = None
            if sock is not None and "transport=websocket" not in (
                    self.server.get_environ(sid, self.namespace) or {}).get("QUERY_STRING", ""):
                sock = None    # that is a finished polling request's socket, not this connection's
        # Runs the disconnect handlers (the hub detaches it); abort: no goodbye packet to queue.
        eio_socket.close(wait=False, abort=True)
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)   # the blocked writer fails now instead of never
            except OSError:
                pass
        # Engine.IO's own clean-up may be skipped when the handler ends on the shut socket: drop
        # it now, with what is still queued for it.
        self.server.eio.sockets.pop(eio_sid, None)
        log.warning("cut off connection %s (not reading)", sid)
