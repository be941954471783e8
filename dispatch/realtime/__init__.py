"""Live status over Socket.IO: thin handlers (``handlers.py``) and the hub that pushes the
event log to every connection in order, once, after commit (``hub.py``). See docs/REALTIME.md."""
