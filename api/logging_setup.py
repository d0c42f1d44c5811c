"""Structured (JSON) logs with personal data and URL credentials masked, whatever the caller put in the message."""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime

from api.request_id import current_request_id
from contract.personal_data import mask_text

_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime", "taskName"}
# A credential in a URL's query (httpx logs every request it sends, Rasa's "?token=" included): never written.
_QUERY_SECRET = re.compile(r"([?&](?:token|access_token|key|secret|signature)=)[^&\s\"']+", re.IGNORECASE)


def _safe(text: str) -> str:
    return _QUERY_SECRET.sub(r"\1***", mask_text(text))


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "at": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": _safe(record.getMessage()),
        }
        if request_id := current_request_id():
            entry["request_id"] = request_id
        for key, value in vars(record).items():
            if key not in _STANDARD:
                entry[key] = _safe(value) if isinstance(value, str) else value
        if record.exc_info:
            entry["exc"] = _safe(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure_logging(level: str = "INFO") -> None:
    root = logging.getLogger()
    if any(isinstance(h.formatter, JsonFormatter) for h in root.handlers):
        return
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    root.handlers = [handler]
    root.setLevel(level.upper())
    # uvicorn's own loggers write in the same JSON format; its access log only if it is switched on
    # (--no-access-log leaves that logger without handlers: keep it silent then).
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        uvicorn_logger = logging.getLogger(name)
        if name == "uvicorn.access" and not uvicorn_logger.handlers:
            continue
        uvicorn_logger.handlers = []
        uvicorn_logger.propagate = True
