// The example layers, built exactly as the app builds them, load and work with the real
// interpreters when unpacked into an /opt-like folder.
import { Testing } from "cdktf";
import { ExampleLayersStack } from "../main";
import { runWithOpt, unpackOpt } from "./helpers/lambda-env";

const app = Testing.app();
const stack = new ExampleLayersStack(app, "example-layers");

describe("python-shared-utils layer", () => {
  const opt = unpackOpt([stack.pythonUtils.archive.path]);
  const script = `
import json
from shared_utils import AppError, error_response, get_logger, json_response, parse_body
body = parse_body({"body": json.dumps({"name": "ada"})})
ok = json_response({"hello": body["name"]}, 201)
try:
    parse_body({"body": "{not json"})
except AppError as e:
    bad = error_response(e)
crash = error_response(RuntimeError("boom"))
get_logger("test").info("handled", extra={"fields": {"request_id": "r-1"}})
print(json.dumps({"ok": ok, "bad": bad, "crash": crash}))
`;

  test.each(["python3.12", "python3.13"])("imports and works under %s search paths", (runtime) => {
    const r = runWithOpt(opt, runtime, "python3", ["-c", script]);
    expect(r.stderr).toBe("");
    const [logLine, resultLine] = r.stdout.trim().split("\n");
    expect(JSON.parse(logLine)).toMatchObject({ level: "INFO", logger: "test", message: "handled", request_id: "r-1" });
    const result = JSON.parse(resultLine);
    expect(result.ok).toEqual({ statusCode: 201, headers: { "Content-Type": "application/json" }, body: '{"hello": "ada"}' });
    expect(result.bad.statusCode).toBe(400);
    expect(JSON.parse(result.bad.body).error.code).toBe("invalid_json");
    expect(result.crash.statusCode).toBe(500);
  });

  test("is not importable without the layer on the path", () => {
    const r = runWithOpt(unpackOpt([]), "python3.12", "python3", ["-c", "import shared_utils"]);
    expect(r.stderr).toContain("ModuleNotFoundError: No module named 'shared_utils'");
  });
});

describe("nodejs-logging layer", () => {
  const opt = unpackOpt([stack.nodeLogging.archive.path]);
  test.each(["nodejs20.x", "nodejs22.x"])("requires and logs under %s search paths", (runtime) => {
    const script = `
const { createLogger } = require("layer-logger");
const log = createLogger({ service: "todos" }).child({ requestId: "r-9" });
log.debug("hidden");
log.info("created", { id: 7 });`;
    const r = runWithOpt(opt, runtime, "node", ["-e", script]);
    expect(r.stderr).toBe("");
    const lines = r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines).toEqual([expect.objectContaining({ level: "info", message: "created", service: "todos", requestId: "r-9", id: 7 })]);
  });
});
