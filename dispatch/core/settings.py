"""The centre's settings: the timers that raise alerts and the auto-dispatch switches.

Each group (``timers``, ``dispatch``) is one row holding what a supervisor changed over the
defaults; reading merges the two, so a default changed in a later release reaches every centre
that never touched it. A change is a partial document merged into the stored one, checked by the
API's schema, recorded as ``settings.changed`` with each value's before and after, and bumps the
group's version (a PUT that names the version it read is refused if another came in between).
"""
import copy

from sqlalchemy import select

from ..database import writes
from ..models import Setting
from ..vocabulary import AUTO_DISPATCH_DEFAULTS, TIMER_DEFAULTS
from . import events
from .clock import utcnow
from .errors import SettingsChanged

DEFAULTS = {"timers": TIMER_DEFAULTS, "dispatch": {"auto_dispatch": AUTO_DISPATCH_DEFAULTS}}


def _merge(base, changes):
    out = copy.deepcopy(base)
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def _diff(before, after, prefix=""):
    out = {}
    for key, value in after.items():
        old = before.get(key)
        if isinstance(value, dict) and isinstance(old, dict):
            out.update(_diff(old, value, f"{prefix}{key}."))
        elif old != value:
            out[f"{prefix}{key}"] = {"from": old, "to": value}
    return out


def read(session, key, *, defaults=None):
    """``{"key", "value", "defaults", "version", "updated_at", "updated_by_id"}`` of one group;
    ``defaults`` replaces the built-in ones (the app's, from its configuration)."""
    base = defaults if defaults is not None else DEFAULTS[key]
    row = session.get(Setting, key)
    stored = row.value if row is not None else {}
    # Only what the defaults know: a key a later release dropped is not shown.
    value = _merge(base, {k: v for k, v in stored.items() if k in base})
    return {"key": key, "value": value, "defaults": copy.deepcopy(base), "version": row.version if row else 0,
            "updated_at": row.updated_at if row else None, "updated_by_id": row.updated_by_id if row else None}


def value(session, key, *, defaults=None):
    return read(session, key, defaults=defaults)["value"]


@writes
def change(session, *, actor, key, changes, version=None, defaults=None):
    """Merge ``changes`` (already checked) into group ``key``. Returns :func:`read`'s document.
    Nothing changed: nothing recorded."""
    row = session.scalar(select(Setting).where(Setting.key == key).with_for_update()
                         .execution_options(populate_existing=True))
    current = row.version if row else 0
    if version is not None and version != current:
        raise SettingsChanged(f"the {key} settings were changed by someone else (version {current}, not {version}); "
                       "read them again", fields={"version": f"now {current}"},
                       details={"version": current})
    before = read(session, key, defaults=defaults)["value"]
    stored = _merge(row.value if row else {}, changes)
    after = _merge(before, changes)
    diff = _diff(before, after)
    if not diff:
        session.rollback()
        return read(session, key, defaults=defaults)
    now = utcnow()
    if row is None:
        row = Setting(key=key, value=stored, version=1, updated_at=now, updated_by_id=actor.id)
        session.add(row)
    else:
        row.value, row.version, row.updated_at, row.updated_by_id = stored, row.version + 1, now, actor.id
    session.flush()
    events.record(session, "settings.changed", actor=actor,
                  data={"key": key, "value": after, "changes": diff, "version": row.version})
    session.commit()
    return read(session, key, defaults=defaults)
