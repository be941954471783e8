"""Serving the browser pages (plain HTML, CSS and JavaScript modules from ``static/``, no build
step) and the browser libraries installed from the npm registry (``node_modules/``, by
``make setup``; never committed)."""
import os
import re
from urllib.parse import urlsplit

from flask import Blueprint, current_app, jsonify, redirect, request, send_from_directory

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
NODE_MODULES = os.path.join(ROOT, "node_modules")
# The only files of node_modules that are served: a library name -> its dist folder.
VENDOR = {
    "leaflet": os.path.join(NODE_MODULES, "leaflet", "dist"),
    "socket.io": os.path.join(NODE_MODULES, "socket.io-client", "dist"),
}
PAGES = {"console": "console.html", "crew": "crew.html", "map": "map.html"}
HOST = re.compile(r"^[A-Za-z0-9.-]+(:[0-9]{1,5})?$|^\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?$")

bp = Blueprint("web", __name__)


def content_security_policy(config, host=None):
    """Scripts and styles from this server only: nothing typed into a form can run as code.

    ``host`` (the request's, when it is a plain host[:port]) is named for the live connection's
    websocket as well: browsers before CSP level 3 (Safari until 15.4) do not let 'self' cover ws:/wss:.
    """
    images = ["'self'", "data:"]
    connect = ["'self'"]
    if host and HOST.match(host):
        connect += [f"ws://{host}", f"wss://{host}"]
    tiles = config.get("MAP_TILE_URL")
    if tiles:   # e.g. https://{s}.tile.example.org/{z}/{x}/{y}.png -> https://*.tile.example.org
        parts = urlsplit(tiles.replace("{s}", "sub"))
        host = parts.netloc.replace("sub.", "*.", 1) if "{s}" in tiles else parts.netloc
        images.append(f"{parts.scheme}://{host}")
    return "; ".join([
        "default-src 'self'", "script-src 'self'", "style-src 'self'", f"img-src {' '.join(images)}",
        f"connect-src {' '.join(connect)}", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'",
        "form-action 'self'",
    ])


def _page(name):
    response = send_from_directory(current_app.static_folder, PAGES[name], max_age=0)
    response.headers["Content-Security-Policy"] = content_security_policy(current_app.config, request.host)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.get("/")
def home():
    return redirect("/console")


@bp.get("/favicon.ico")
def favicon():
    return "", 204


@bp.get("/console")
def console():
    return _page("console")


@bp.get("/crew")
def crew():
    return _page("crew")


@bp.get("/map")
def live_map():
    return _page("map")


@bp.get("/vendor/<library>/<path:filename>")
def vendor(library, filename):
    folder = VENDOR.get(library)
    if folder is None:
        return jsonify(error={"code": "not_found", "message": f"no browser library {library!r}", "fields": {}}), 404
    if not os.path.isdir(folder):
        return jsonify(error={"code": "not_installed", "fields": {},
                              "message": "the browser libraries are not installed: run `make setup` (npm ci)"}), 503
    response = send_from_directory(folder, filename, max_age=3600)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
