"""JSON logs on standard output, one object a line, each with the service name and the request id."""

from __future__ import annotations

import logging
import logging.config
from typing import Any

from shared.request_context import RequestIdLogFilter


def logging_config(service: str, level: str = "INFO") -> dict[str, Any]:
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": RequestIdLogFilter}},
        "formatters": {
            "json": {
                "()": "pythonjsonlogger.json.JsonFormatter",
                "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
                "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
                "static_fields": {"service": service},
                "datefmt": "%Y-%m-%dT%H:%M:%S%z",
                "json_ensure_ascii": False,
            }
        },
        "handlers": {
            "stdout": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stdout",
                "formatter": "json",
                "filters": ["request_id"],
            }
        },
        "root": {"level": level, "handlers": ["stdout"]},
        "loggers": {
            # RequestContextMiddleware writes the access line, with the request id; uvicorn's lacks it.
            "uvicorn.access": {"level": "WARNING", "handlers": [], "propagate": False},
            "uvicorn.error": {"level": level, "handlers": [], "propagate": True},
            "uvicorn": {"level": level, "handlers": [], "propagate": True},
        },
    }


def configure_logging(service: str, level: str = "INFO") -> None:
    logging.config.dictConfig(logging_config(service, level))
