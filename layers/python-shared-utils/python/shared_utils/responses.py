import json
from typing import Any, Optional

from .errors import AppError

DEFAULT_HEADERS = {"Content-Type": "application/json"}


def json_response(body: Any, status_code: int = 200, headers: Optional[dict] = None) -> dict:
    """An API Gateway proxy response with a JSON body."""
    return {
        "statusCode": status_code,
        "headers": {**DEFAULT_HEADERS, **(headers or {})},
        "body": json.dumps(body, default=str),
    }


def error_response(error: Exception) -> dict:
    """A JSON error response; unexpected errors become a 500 without internals."""
    if isinstance(error, AppError):
        return json_response(error.to_dict(), error.status_code)
    return json_response({"error": {"code": "internal", "message": "internal error"}}, 500)
