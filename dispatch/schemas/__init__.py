"""Marshmallow schemas: the request and response shapes of the API.

They validate what the REST views and (later) socket handlers receive, serialise
what they send, and produce the OpenAPI document. They know nothing of Flask.
"""
