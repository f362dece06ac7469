"use strict";
// Todos API handler: uses the nodejs-logging layer (require("layer-logger") from /opt/nodejs/node_modules).
const { createLogger } = require("layer-logger");

const TODOS = [
  { id: 1, title: "Publish the logging layer", done: true },
  { id: 2, title: "Attach it to the functions", done: false },
];

exports.handler = async (event = {}, context = {}) => {
  const log = createLogger({ service: "todos" }).child({ requestId: context.awsRequestId });
  const id = event.pathParameters && event.pathParameters.id;
  if (id !== undefined) {
    const todo = TODOS.find((t) => String(t.id) === String(id));
    log.info("get todo", { id, found: Boolean(todo) });
    return todo
      ? { statusCode: 200, body: JSON.stringify(todo) }
      : { statusCode: 404, body: JSON.stringify({ error: `todo ${id} not found` }) };
  }
  log.info("list todos", { count: TODOS.length });
  return { statusCode: 200, body: JSON.stringify(TODOS) };
};
