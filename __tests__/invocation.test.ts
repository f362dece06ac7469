// Invokes the example functions the way Lambda runs them: each attached layer unpacked, in
// order, into an /opt-like folder, the function's zip into a task folder, and the handler called by
// the real node / python3 with Lambda's search paths. The layers come from the function's own
// attachment list, so a layer missing from a function makes its invocation fail here.
import { Testing } from "cdktf";
import { ExampleLayersStack } from "../main";
import { LambdaLayer, LayeredFunction } from "../modules";
import { tempDir, unzipTo } from "./helpers/files";
import { runWithOpt, unpackOpt } from "./helpers/lambda-env";

const stack = new ExampleLayersStack(Testing.app(), "example-layers");

function invoke(
  fn: LayeredFunction,
  event: unknown,
  layers = fn.layers,
): { status: number | null; result?: any; logs: string; stderr: string } {
  const zips = layers.map((l) => {
    if (!(l instanceof LambdaLayer)) throw new Error("only layers built here can be unpacked");
    return l.archive.path;
  });
  const opt = unpackOpt(zips);
  const task = unzipTo(fn.archive.path, tempDir("task-"));
  const [file, handler] = [
    fn.resource.handlerInput!.slice(0, fn.resource.handlerInput!.lastIndexOf(".")),
    fn.resource.handlerInput!.split(".").pop()!,
  ];
  const payload = JSON.stringify(event);
  const r =
    fn.runtime.family === "nodejs"
      ? runWithOpt(
          opt,
          fn.runtime.name,
          "node",
          [
            "-e",
            `
        Promise.resolve(require(process.cwd() + "/${file}").${handler}(${payload}, { awsRequestId: "req-1" }))
          .then((res) => console.log("RESULT " + JSON.stringify(res)));`,
          ],
          task,
        )
      : runWithOpt(
          opt,
          fn.runtime.name,
          "python3",
          [
            "-c",
            `
import json, importlib
res = importlib.import_module("${file}").${handler}(json.loads(${JSON.stringify(payload)}), None)
print("RESULT " + json.dumps(res))`,
          ],
          task,
        );
  const lines = r.stdout.trim().split("\n");
  const resultLine = lines.find((l) => l.startsWith("RESULT "));
  return {
    status: r.status,
    result: resultLine && JSON.parse(resultLine.slice(7)),
    logs: lines.filter((l) => !l.startsWith("RESULT ")).join("\n"),
    stderr: r.stderr,
  };
}

test("todos (Node.js) lists and finds todos, logging through the layer", () => {
  const list = invoke(stack.todos, {});
  expect(list.stderr).toBe("");
  expect(list.result.statusCode).toBe(200);
  expect(JSON.parse(list.result.body)).toHaveLength(2);
  expect(JSON.parse(list.logs)).toMatchObject({ level: "info", message: "list todos", service: "todos", requestId: "req-1", count: 2 });
  const missing = invoke(stack.todos, { pathParameters: { id: "9" } });
  expect(missing.result).toEqual({ statusCode: 404, body: JSON.stringify({ error: "todo 9 not found" }) });
});

test("users (Node.js) validates and creates a user", () => {
  expect(invoke(stack.users, { body: JSON.stringify({ name: "Ada" }) }).result).toEqual({
    statusCode: 201,
    body: JSON.stringify({ id: "u-ada", name: "Ada" }),
  });
  expect(invoke(stack.users, { body: "{oops" }).result.statusCode).toBe(400);
});

test("orders (Python) accepts an order through the shared-utilities layer", () => {
  const ok = invoke(stack.orders, { body: JSON.stringify({ item: "book", quantity: 2 }) });
  expect(ok.stderr).toBe("");
  expect(ok.result).toMatchObject({ statusCode: 201, headers: { "Content-Type": "application/json" } });
  expect(JSON.parse(ok.result.body)).toEqual({ item: "book", quantity: 2, status: "accepted" });
  expect(JSON.parse(ok.logs)).toMatchObject({ level: "INFO", logger: "orders", message: "order accepted", item: "book", quantity: 2 });
  const bad = invoke(stack.orders, { body: "{}" });
  expect(bad.result.statusCode).toBe(422);
});

test("without its layer a function fails the way Lambda would", () => {
  const node = invoke(stack.todos, {}, []);
  expect(node.result).toBeUndefined();
  expect(node.stderr).toContain("Cannot find module 'layer-logger'");
  const python = invoke(stack.orders, { body: "{}" }, []);
  expect(python.result).toBeUndefined();
  expect(python.stderr).toContain("ModuleNotFoundError: No module named 'shared_utils'");
});
