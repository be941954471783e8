"""The browser pages: the operator console, the crew app and the supervisor map."""
