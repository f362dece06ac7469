"use strict";
// Structured JSON logs, one object per line, with a level threshold from LOG_LEVEL.

const LEVELS = { debug: 10, info: 20, warn: 30, error: 40 };

function createLogger(context = {}, options = {}) {
  const threshold = LEVELS[(options.level || process.env.LOG_LEVEL || "info").toLowerCase()] || LEVELS.info;
  const write = options.write || ((line) => process.stdout.write(line + "\n"));

  function log(level, message, fields) {
    if (LEVELS[level] < threshold) return undefined;
    const entry = { timestamp: new Date().toISOString(), level, message, ...context, ...(fields || {}) };
    if (fields && fields.error instanceof Error) {
      entry.error = { name: fields.error.name, message: fields.error.message, stack: fields.error.stack };
    }
    write(JSON.stringify(entry));
    return entry;
  }

  return {
    debug: (message, fields) => log("debug", message, fields),
    info: (message, fields) => log("info", message, fields),
    warn: (message, fields) => log("warn", message, fields),
    error: (message, fields) => log("error", message, fields),
    child: (extra) => createLogger({ ...context, ...extra }, options),
  };
}

module.exports = { createLogger, LEVELS };
