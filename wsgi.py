"""Entry point: ``python wsgi.py`` serves HTTP and websockets (Flask-SocketIO, threading
mode with simple-websocket, on Werkzeug's development server); ``flask --app wsgi ...`` runs
the commands; gunicorn serves ``wsgi:app`` in production (see README)."""
import os
import sys

from werkzeug.serving import WSGIRequestHandler, make_server

from dispatch import create_app
from dispatch.cli import database_label
from dispatch.core import demo

app = create_app()


class RequestHandler(WSGIRequestHandler):
    """Werkzeug's handler without its line per request (``REQUEST_LOG=1`` brings it back); a
    server error is always logged."""

    def log_request(self, code="-", size="-"):
        if app.config["REQUEST_LOG"] or str(code).startswith("5"):
            super().log_request(code, size)


def serve(host, port):
    """What ``socketio.run`` does in threading mode (Werkzeug, threaded), with the demo accounts
    printed after the server's own lines, so that nothing scrolls them away."""
    server = make_server(host, port, app, threaded=True, request_handler=RequestHandler)
    server.log_startup()  # " * Running on http://...", on stderr like the rest of Werkzeug's log
    lines = ["Press CTRL+C to quit"]
    notice = demo.accounts_notice(app.config.get("DEMO_ACCOUNTS_FILE"), database=database_label(app.config))
    if notice:
        lines += ["", *notice]
    print("\n".join(lines), file=sys.stderr, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    if app.config["PSC_ENV"] == "production":
        sys.exit("refusing to serve production with the development web server; "
                 "run gunicorn -w 1 --threads 100 wsgi:app (see README, Production)")
    host = os.environ.get("HOST", "127.0.0.1")
    port = int(os.environ.get("PORT", "5000"))
    print(f"PSC 119 dispatch serving on http://{host}:{port}", flush=True)
    serve(host, port)
