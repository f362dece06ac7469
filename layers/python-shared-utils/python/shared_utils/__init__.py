"""Helpers shared by the Python functions: HTTP responses, event bodies, JSON logs, errors."""
from .errors import AppError
from .events import parse_body
from .logging import get_logger
from .responses import error_response, json_response

__all__ = ["AppError", "error_response", "get_logger", "json_response", "parse_body"]
