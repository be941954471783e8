"""``flask --app wsgi`` commands: users, demo data, facilities, zones (``db`` comes from Flask-Migrate)."""
import json

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy.engine import make_url

from .core import auth, demo, facilities, zones
from .core.clock import utcnow
from .core.geo import load_zone_index, shipped_zones
from .core.errors import DomainError
from .vocabulary import ROLES
from .extensions import db

user_cli = AppGroup("user", help="Manage user accounts.")
seed_cli = AppGroup("seed", help="Load data.")
zones_cli = AppGroup("zones", help="Kelurahan and kecamatan polygons.")
facilities_cli = AppGroup("facilities", help="Hospitals and puskesmas.")


def _fail(exc):
    raise click.ClickException(exc.message)


def database_label(config):
    """The app's database URL without its password (as the demo accounts file records it)."""
    return make_url(config["DATABASE_URL"]).render_as_string(hide_password=True)


@user_cli.command("create")
@click.argument("username")
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--unit", "call_sign", help="call sign of the unit a crew user belongs to")
@click.option("--password", help="prompted for (hidden) when not given")
def user_create(username, role, call_sign, password):
    """Create a user."""
    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = auth.create_user(db.session, actor=None, username=username, role=role, password=password,
                                unit_call_sign=call_sign)
    except DomainError as exc:
        _fail(exc)
    click.echo(f"created {user.role} {user.username}" + (f" of unit {call_sign}" if call_sign else ""))


@user_cli.command("set-password")
@click.argument("username")
@click.option("--password", help="prompted for (hidden) when not given")
def user_set_password(username, password):
    """Set a user's password; the user's tokens are revoked."""
    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        auth.set_password(db.session, username=username, password=password)
    except DomainError as exc:
        _fail(exc)
    click.echo(f"password of {username} changed; its sessions were logged out")
    path = current_app.config.get("DEMO_ACCOUNTS_FILE")
    if demo.forget_password(path, database=database_label(current_app.config), username=username):
        click.echo(f"{path} no longer shows the old password of {username}")


@seed_cli.command("demo")
@click.option("--if-empty", is_flag=True, help="do nothing (and succeed) when the database holds data")
def seed_demo(if_empty):
    """Load Pontianak's hospitals, 8 ambulances, an operator, a supervisor, an admin and one crew
    per ambulance; prints their passwords and writes them to DEMO_ACCOUNTS_FILE."""
    if current_app.config.get("PSC_ENV") == "production":
        raise click.ClickException("refusing to load demo data in production")
    if if_empty and not demo.is_empty(db.session):
        click.echo("database holds data already; demo data not loaded")
        return
    try:
        created = demo.seed_demo(db.session)
    except DomainError as exc:
        _fail(exc)
    click.echo("Demo data loaded: 15 hospitals, 23 puskesmas, 8 ambulances (PSC-01..PSC-08), one crew account each.")
    path = current_app.config.get("DEMO_ACCOUNTS_FILE")
    if path:
        demo.write_accounts(path, created, database=database_label(current_app.config), created_at=utcnow())
        click.echo(f"Demo accounts (also in {path}, shown at each start of `make run`):")
    else:
        click.echo("Demo accounts (write these passwords down; DEMO_ACCOUNTS_FILE is not set):")
    for line in demo.format_accounts(created):
        click.echo("  " + line)


@facilities_cli.command("load-puskesmas")
def facilities_load_puskesmas():
    """Add Pontianak's 23 puskesmas (positions estimated from their addresses, dispatch/data/streets.json)
    to the hospitals table; those already there (by name) are left as they are."""
    loaded = facilities.load_puskesmas(db.session)
    click.echo(f"{len(loaded.added)} puskesmas added, {len(loaded.kept)} already there "
               "(positions estimated from the addresses: check them on the map)")
    for name in loaded.added:
        click.echo(f"  + {name}")


@zones_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def zones_import(path):
    """Replace the zones with a GeoJSON FeatureCollection of kelurahan/kecamatan polygons.

    Each feature needs properties `name` and `kind` (kelurahan, kecamatan; kota is
    ignored); a kelurahan also names its `kecamatan` (or its `parent` code). The whole
    file is checked first: on any error nothing changes.
    """
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise click.ClickException(f"zones not imported: {path} is not readable GeoJSON ({exc})") from None
    try:
        index = zones.import_zones(db.session, data=data, source=path)
    except DomainError as exc:
        _fail(exc)
    click.echo(f"imported {len(index.kecamatan)} kecamatan and {len(index.kelurahan)} kelurahan from {path}")


@zones_cli.command("reset")
def zones_reset():
    """Drop imported zones and use the shipped coarse polygons again."""
    removed = zones.reset_zones(db.session)
    click.echo(f"removed {removed} imported zones; the shipped zones apply")


@zones_cli.command("show")
def zones_show():
    """Which zones are in use."""
    index = load_zone_index(db.session) if zones.imported_count(db.session) else shipped_zones()
    click.echo(f"source: {index.source}")
    for kec in index.kecamatan:
        kel = [z.name for z in index.kelurahan if z.kecamatan == kec.name]
        click.echo(f"  {kec.name}: {len(kel)} kelurahan" + (f" ({', '.join(kel)})" if kel else ""))


def register_cli(app):
    app.cli.add_command(user_cli)
    app.cli.add_command(seed_cli)
    app.cli.add_command(zones_cli)
    app.cli.add_command(facilities_cli)
