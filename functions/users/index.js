"use strict";
// Users API handler: uses the nodejs-logging layer.
const { createLogger } = require("layer-logger");

exports.handler = async (event = {}, context = {}) => {
  const log = createLogger({ service: "users" }).child({ requestId: context.awsRequestId });
  let body = {};
  try {
    body = event.body ? JSON.parse(event.body) : {};
  } catch (error) {
    log.warn("invalid body", { error });
    return { statusCode: 400, body: JSON.stringify({ error: "body is not valid JSON" }) };
  }
  if (!body.name) return { statusCode: 422, body: JSON.stringify({ error: "name is required" }) };
  const user = { id: `u-${body.name.toLowerCase()}`, name: body.name };
  log.info("user created", { userId: user.id });
  return { statusCode: 201, body: JSON.stringify(user) };
};
