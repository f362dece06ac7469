import base64
import json

from .errors import AppError


def parse_body(event: dict) -> dict:
    """Return the JSON body of an API Gateway / function URL event as a dict."""
    body = (event or {}).get("body")
    if body is None or body == "":
        return {}
    if (event or {}).get("isBase64Encoded"):
        body = base64.b64decode(body).decode("utf-8")
    if isinstance(body, dict):
        return body
    try:
        parsed = json.loads(body)
    except json.JSONDecodeError as exc:
        raise AppError(f"request body is not valid JSON: {exc.msg}", 400, "invalid_json") from exc
    if not isinstance(parsed, dict):
        raise AppError("request body must be a JSON object", 400, "invalid_body")
    return parsed
