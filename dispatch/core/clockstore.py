"""The epoch of a clock run faster (``PSC_CLOCK_SPEED``), kept in the database: the first process
to start at a speed stores it, every other one (server or ``flask`` command) reads it, so all of
them share one time, across restarts too. Started at another speed, the clock goes on from where
it was (the epoch is moved, never back). At speed 1 the clock is real time."""
from sqlalchemy.exc import IntegrityError

from ..models import ClockEpoch
from . import clock


def start(session, speed):
    """Set this process's clock from the stored epoch (making one for ``speed``, not 1, if needed;
    at speed 1 the app does not ask: dispatch/__init__.py)."""
    row = session.get(ClockEpoch, 1)
    if row is None or row.speed != speed:
        real = clock.real_utcnow()
        now = real if row is None else row.epoch + (real - row.real_epoch) * row.speed
        if row is None:
            row = ClockEpoch(id=1, speed=speed, real_epoch=real, epoch=now)
            session.add(row)
        else:
            row.speed, row.real_epoch, row.epoch = speed, real, now
        try:
            session.commit()
        except IntegrityError:      # another process stored it first: use that one
            session.rollback()
            row = session.get(ClockEpoch, 1)
    clock.run_at(row.speed, real_epoch=row.real_epoch, epoch=row.epoch)
    return row
