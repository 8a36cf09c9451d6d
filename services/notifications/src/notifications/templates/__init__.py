"""Message templates per event type, channel and language: Jinja2 in its sandbox, versioned."""
