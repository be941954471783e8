"""Entry point: ``python wsgi.py`` serves HTTP and websockets (Flask-SocketIO, threading
mode with simple-websocket); ``flask --app wsgi ...`` runs the commands; gunicorn
serves ``wsgi:app`` in production (see README)."""
import os
import sys

from dispatch import create_app
from dispatch.extensions import socketio

app = create_app()

if __name__ == "__main__":
    if app.config["PSC_ENV"] == "production":
        sys.exit("refusing to serve production with the development web server; "
                 "run gunicorn -w 1 --threads 100 wsgi:app (see README, Production)")
    host = os.environ.get("HOST", "127.0.0.1")
    port = int(os.environ.get("PORT", "5000"))
    print(f"PSC 119 dispatch serving on http://{host}:{port}", flush=True)
    socketio.run(app, host=host, port=port, allow_unsafe_werkzeug=True)
