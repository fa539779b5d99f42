"""A component switched off on purpose says so once, as a note, and steps aside."""

from __future__ import annotations

import logging

from scrapy.exceptions import NotConfigured
from scrapy.settings import BaseSettings

__all__ = ["require_enabled"]

logger = logging.getLogger(__name__)


def require_enabled(settings: BaseSettings, name: str, consequence: str) -> None:
    """Raise a silent ``NotConfigured`` when the boolean setting ``name`` is off.

    Scrapy logs a ``NotConfigured`` with a message as a "Disabled …" warning; a setting turned
    off on purpose (or by a diagnostic command) is no warning, so the note goes to INFO.
    """
    if not settings.getbool(name, True):
        logger.info("%s is off: %s", name, consequence)
        raise NotConfigured
