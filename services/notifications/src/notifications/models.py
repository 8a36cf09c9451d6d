"""Every table of the service, imported in one place so Alembic and the tests see the whole schema."""

from notifications.database import Base
from notifications.deliveries.models import Delivery, DeliveryAttempt, DigestEntry
from notifications.events.models import Event
from notifications.inbox.models import InboxItem
from notifications.recipients.models import Preference, Recipient
from notifications.routing.models import RoutingRule
from notifications.templates.models import TemplateVersion
from notifications.webhooks.models import WebhookEndpoint, WebhookSecret
from shared.idempotency import idempotency_table

idempotency_keys = idempotency_table(Base.metadata)

__all__ = [
    "Base",
    "Delivery",
    "DeliveryAttempt",
    "DigestEntry",
    "Event",
    "InboxItem",
    "Preference",
    "Recipient",
    "RoutingRule",
    "TemplateVersion",
    "WebhookEndpoint",
    "WebhookSecret",
    "idempotency_keys",
]
