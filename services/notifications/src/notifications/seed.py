"""What a new deployment of the service needs before its first event (``python -m notifications seed``,
idempotent): the message templates of every event type in Vietnamese and English, and the routing rules."""

from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import AsyncSession

from notifications.routing.service import load_routing
from notifications.templates.seed import load_templates

logger = logging.getLogger(__name__)


async def load_seed(session: AsyncSession) -> None:
    """Load every part of the seed in the session's transaction; each part leaves what the API changed."""
    templates = await load_templates(session)
    rules = await load_routing(session)
    logger.info("seed loaded", extra={"template_versions_added": templates, "routing_rules_changed": rules})
