"""Orders API handler: uses the python-shared-utils layer (from /opt/python)."""
from shared_utils import AppError, error_response, get_logger, json_response, parse_body

logger = get_logger("orders")


def handler(event, context):
    try:
        order = parse_body(event)
        if "item" not in order:
            raise AppError("item is required", 422, "missing_item")
        quantity = int(order.get("quantity", 1))
        logger.info("order accepted", extra={"fields": {"item": order["item"], "quantity": quantity}})
        return json_response({"item": order["item"], "quantity": quantity, "status": "accepted"}, 201)
    except Exception as error:  # every failure becomes a JSON error response
        return error_response(error)
