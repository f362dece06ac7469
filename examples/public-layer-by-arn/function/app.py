"""Uses AWS Lambda Powertools from AWS's public layer (attached by ARN in each region)."""
from aws_lambda_powertools import Logger

logger = Logger(service="orders")


def handler(event, context):
    logger.info("order received")
    return {"statusCode": 200, "body": "ok"}
