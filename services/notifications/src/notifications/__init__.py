"""Notifications service.

Outbox-fed events, Vietnamese templates, email, signed webhooks, the in-app inbox and reminders.
"""

__version__ = "0.1.0"
