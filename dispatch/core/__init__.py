"""The domain core: state machines, assignment, calls, units, events.

Nothing in here imports Flask or Socket.IO. Every service function takes the
SQLAlchemy session as the keyword ``session`` and the acting user as ``actor``,
does one unit of work and commits it (which publishes its events).
"""
