"""The caller: one phone number's history, its flags, and the supervisors' soft blocks.

Numbers are keys in their normalised form (``dispatch/phones.py``). The history is counted from
the stored calls (never kept apart from them, so it cannot drift); a number with repeated prank
or silent calls is flagged ``repeat_prank``; a soft block only warns: a call from a blocked number
needs the operator's confirmation and is then taken like any other. Nothing here ever refuses a
call by itself.
"""
from dataclasses import dataclass
from datetime import timedelta, timezone

from sqlalchemy import bindparam, exists, func, select

from ..database import writes
from ..models import Call, CallerBlock, Incident
from ..phones import NotAPhoneNumber, normalise
from ..vocabulary import CALLBACK_DISPOSITIONS, DISPOSITIONS, INCIDENT_OPEN
from . import events
from .clock import to_local, utcnow
from .errors import Conflict, InvalidInput, NotFound

# Prank and silent calls that make a number a repeat prank caller (config REPEAT_PRANK_CALLS,
# REPEAT_PRANK_HOURS: the defaults). Dropped calls do not count: the line may simply have failed.
PRANK_LIKE = ("prank", "silent")
RECENT_CALLS = 10


@dataclass(frozen=True)
class Rules:
    prank_calls: int = 3
    prank_hours: float = 24.0


def number_of(phone, *, field="phone"):
    """The normalised number of what was typed; :class:`InvalidInput` naming ``field`` if it is none."""
    try:
        return normalise(phone)
    except NotAPhoneNumber as exc:
        raise InvalidInput(f"{field}: {exc}", fields={field: str(exc)}) from None


def history(session, phone, *, rules=Rules(), now=None):
    """What the system knows of one number: counts by disposition (ever, today in WIB, in the
    prank window), its last calls, its last emergency, the open incidents it called about, its
    flags and its block."""
    now = now or utcnow()
    number = number_of(phone)
    key = number.number
    window_start = now - timedelta(hours=rules.prank_hours)
    day_start = to_local(now).replace(hour=0, minute=0, second=0, microsecond=0).astimezone(timezone.utc)
    counts, today, window, first_call_at, waiting_count = _counts(session, key, day_start=day_start,
                                                                  window_start=window_start)
    recent = list(session.scalars(select(Call).where(Call.caller_phone == key)
                                  .order_by(Call.received_at.desc(), Call.id.desc()).limit(RECENT_CALLS)))
    last_emergency = session.scalars(
        select(Call).where(Call.caller_phone == key, Call.disposition == "emergency")
        .order_by(Call.received_at.desc(), Call.id.desc()).limit(1)).first()
    open_rows = session.execute(
        select(Incident, func.max(Call.received_at)).join(Call, Call.incident_id == Incident.id)
        .where(Call.caller_phone == key, Incident.status.in_(INCIDENT_OPEN))
        .group_by(Incident.id).order_by(func.max(Call.received_at).desc())).all()
    block = active_block(session, key, now=now)
    waiting = list(session.scalars(select(Call).where(Call.caller_phone == key,
                                                      Call.disposition.in_(CALLBACK_DISPOSITIONS),
                                                      Call.callback_done_at.is_(None))
                                  .order_by(Call.received_at).limit(RECENT_CALLS)))
    flags = _flags(window, block, rules) + (["awaiting_callback"] if waiting else [])
    return {
        "phone": key, "display": number.display, "kind": number.kind,
        "calls_total": sum(counts.values()),
        "counts": counts, "today": today,
        "window": {"hours": rules.prank_hours, "since": window_start, "counts": window,
                   "prank_like": sum(window[d] for d in PRANK_LIKE), "limit": rules.prank_calls},
        "first_call_at": first_call_at,
        "last_call": recent[0] if recent else None,
        "last_emergency": last_emergency,
        "open_incidents": [{"incident": inc, "last_call_at": at} for inc, at in open_rows],
        "recent_calls": recent,
        "awaiting_callback": waiting,
        "awaiting_callback_count": waiting_count,
        "flags": flags,
        "block": block,
        "now": now,
    }


def checks(session, key, *, rules=Rules(), now=None, confirmed=False):
    """What a new call from ``key`` (a normalised number) carries: its flags, from one query (the
    prank-like calls in the window and the block in force). A blocked number raises
    ``caller_blocked`` (:func:`check_block`) unless ``confirmed``."""
    now = now or utcnow()
    prank_like, block_id, waiting = session.execute(_CHECKS, {
        "phone": key, "since": now - timedelta(hours=rules.prank_hours), "now": now}).one()
    block = None
    if block_id is not None:
        block = check_block(session, key, confirmed=confirmed, now=now)
    flags = ["repeat_prank"] if prank_like >= rules.prank_calls else []
    return flags + (["blocked"] if block is not None else []) + (["awaiting_callback"] if waiting else [])


_CHECKS = select(
    select(func.count()).select_from(Call).where(
        Call.caller_phone == bindparam("phone"), Call.received_at >= bindparam("since"),
        Call.disposition.in_(PRANK_LIKE)).scalar_subquery(),
    select(CallerBlock.id).where(CallerBlock.phone == bindparam("phone"), CallerBlock.until > bindparam("now"),
                                 CallerBlock.lifted_at.is_(None)).limit(1).scalar_subquery(),
    exists().where(Call.caller_phone == bindparam("phone"), Call.disposition.in_(CALLBACK_DISPOSITIONS),
                   Call.callback_done_at.is_(None)))


def active_block(session, key, *, now=None):
    """The block in force on ``key`` (a normalised number), or None."""
    now = now or utcnow()
    return session.scalars(
        select(CallerBlock).where(CallerBlock.phone == key, CallerBlock.until > now,
                                  CallerBlock.lifted_at.is_(None))
        .order_by(CallerBlock.created_at.desc()).limit(1)).first()


def check_block(session, key, *, confirmed, now=None):
    """The block in force on ``key``; raises ``caller_blocked`` (409, with the block) when there is
    one and the operator has not confirmed taking the call anyway."""
    block = active_block(session, key, now=now)
    if block is not None and not confirmed:
        raise Conflict(
            f"{key} is blocked until {block.until.isoformat()}: {block.reason}; send confirm_blocked: true "
            "to take the call anyway", code="caller_blocked", fields={"confirm_blocked": "needed: the number is blocked"},
            details={"block": block_data(block)})
    return block


@writes
def block_number(session, *, actor, phone, reason, until):
    """A soft block of one number until ``until``; a block already in force is replaced (lifted by
    the same supervisor, and the new one recorded). Events ``caller.blocked`` (and ``caller.unblocked``)."""
    now = utcnow()
    key = number_of(phone).number
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("reason: a block needs a reason", fields={"reason": "required"})
    if until <= now:
        raise InvalidInput("until: must be in the future", fields={"until": "in the past"})
    previous = active_block(session, key, now=now)
    if previous is not None:
        _lift(session, previous, actor=actor, now=now, replaced=True)
    block = CallerBlock(phone=key, reason=reason, until=until, created_at=now, created_by_id=actor.id)
    session.add(block)
    session.flush()
    events.record(session, "caller.blocked", actor=actor, data={"phone": key, "block": block_data(block)})
    session.commit()
    return block


@writes
def lift_block(session, *, actor, phone):
    """Lift the block in force on one number (404 ``not_found`` when there is none)."""
    now = utcnow()
    key = number_of(phone).number
    block = active_block(session, key, now=now)
    if block is None:
        raise NotFound(f"{key} is not blocked", fields={"phone": "no block in force"})
    _lift(session, block, actor=actor, now=now, replaced=False)
    session.commit()
    return block


def _lift(session, block, *, actor, now, replaced):
    block.lifted_at = now
    block.lifted_by_id = actor.id
    session.flush()
    events.record(session, "caller.unblocked", actor=actor,
                  data={"phone": block.phone, "block": block_data(block), "replaced": replaced})


def block_data(block):
    return {"id": block.id, "phone": block.phone, "reason": block.reason, "until": block.until.isoformat(),
            "created_at": block.created_at.isoformat(), "created_by_id": block.created_by_id,
            "lifted_at": block.lifted_at.isoformat() if block.lifted_at else None,
            "lifted_by_id": block.lifted_by_id}


def _counts(session, key, *, day_start, window_start):
    """Calls by disposition ever, since ``day_start`` and since ``window_start``, and the first
    call's time: one pass over the number's calls (the index on caller_phone, received_at)."""
    rows = session.execute(
        select(Call.disposition, func.count(), func.count().filter(Call.received_at >= day_start),
               func.count().filter(Call.received_at >= window_start), func.min(Call.received_at),
               func.count().filter(Call.callback_done_at.is_(None)))
        .where(Call.caller_phone == key).group_by(Call.disposition)).all()
    ever, today, window = ({d: 0 for d in DISPOSITIONS} for _ in range(3))
    for disposition, n, n_today, n_window, _first, _open in rows:
        ever[disposition], today[disposition], window[disposition] = n, n_today, n_window
    first = min((row[4] for row in rows), default=None)
    waiting = sum(row[5] for row in rows if row[0] in CALLBACK_DISPOSITIONS)
    return ever, today, window, first, waiting


def _flags(window, block, rules):
    flags = []
    if sum(window[d] for d in PRANK_LIKE) >= rules.prank_calls:
        flags.append("repeat_prank")
    if block is not None:
        flags.append("blocked")
    return flags
