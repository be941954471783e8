"""A client's own id for a request (``client_ref``): a retry after a lost answer changes nothing.

One store for every kind, the ``client_requests`` table. A ref belongs to one owner: a user
for a ``call`` (the console's id for the call), a unit for a ``unit_status`` report (the crew's
phone, or an operator reporting for it by radio). A service that takes a ``client_ref``:

1. makes a :class:`Ref` of it and of what was sent with it (:func:`ref`);
2. asks :func:`prior` for the request stored under it: None when it is new; the stored
   :class:`ClientRequest` when the same request was applied before (the service answers as it
   did then, ``applied`` False, and changes nothing); ``client_ref_reused`` (409) when the ref
   came with other values;
3. stores it with :func:`remember` in the same transaction as its write: it is stored exactly
   when the write is, and a refused request leaves its ref unused. The unique (kind, owner,
   ref) makes a concurrent retry fail with ``IntegrityError``; the service rolls back and
   answers from :func:`prior`.
"""
import hashlib
import json
from dataclasses import dataclass

from sqlalchemy import select

from ..models import ClientRequest
from .errors import Conflict

# Each kind: whose refs they are (the column of the owner), and what the refusal calls it.
KINDS = {"call": ("user_id", "call"), "unit_status": ("unit_id", "request")}


@dataclass(frozen=True)
class Ref:
    kind: str
    owner_id: int
    client_ref: str
    request_hash: str


def fingerprint(body):
    """The hash of what was sent with a ref (any JSON-able value; keys in any order)."""
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()


def ref(kind, *, owner_id, client_ref, body):
    """The ref of one request, or None without a ``client_ref`` (nothing to look up or store)."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind of client request: {kind!r}")
    if client_ref is None:
        return None
    return Ref(kind, owner_id, client_ref, fingerprint(body))


def prior(session, ref):
    """The request stored under ``ref``, or None if it is new (or ``ref`` is None).

    Raises ``Conflict`` (``client_ref_reused``) when the ref was stored with other values; the
    session is rolled back first (nothing of the request stays).
    """
    if ref is None:
        return None
    owner = getattr(ClientRequest, KINDS[ref.kind][0])
    stored = session.scalar(select(ClientRequest).where(
        ClientRequest.kind == ref.kind, owner == ref.owner_id, ClientRequest.client_ref == ref.client_ref))
    if stored is None:
        return None
    if stored.request_hash != ref.request_hash:
        session.rollback()
        raise Conflict(f"this client_ref was already used for a different {KINDS[ref.kind][1]}",
                       fields={"client_ref": "reused with other values"}, code="client_ref_reused")
    return stored


def remember(session, ref, *, now, result_id=None):
    """Store ``ref`` (with the id of the row the request made) in the caller's transaction.

    Flushed at once: a concurrent request with the same ref waits here (PostgreSQL) and fails
    with ``IntegrityError`` once the first commits, before it does any more work, and before
    the event log's lock (taken at commit), which the first needs to commit."""
    if ref is None:
        return
    session.add(ClientRequest(kind=ref.kind, client_ref=ref.client_ref, request_hash=ref.request_hash,
                              result_id=result_id, created_at=now, **{KINDS[ref.kind][0]: ref.owner_id}))
    session.flush()
