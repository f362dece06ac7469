#!/usr/bin/env node
// The test emulator as one process group: starts moto (server mode) on a free loopback port and
// serves a loopback HTTP proxy in front of it that answers in AWS's documented shapes where moto's
// differ in ways that matter to Terraform and the SDK. Everything else passes through untouched
// (bodies streamed, headers kept).
//
// Run by __tests__/helpers/emulator.ts, never by hand in tests:
//   node aws-shape-proxy.js --python /usr/bin/python3 --pythonpath <moto dist-packages> --log <file>
// Prints one JSON line {"endpoint", "motoUrl", "motoPid"} on stdout when both answer. Exits, and stops
// moto, when its stdin closes (the test process died) or on SIGTERM/SIGINT.
//
// Plain node (no dependencies) so it runs as its own process: tests run terraform with spawnSync,
// which blocks the jest worker's event loop, so an in-process server would stop answering.
"use strict";

const http = require("http");
const net = require("net");
const fs = require("fs");
const { spawn } = require("child_process");
const { Buffer } = require("buffer");
const { setTimeout } = require("timers");
const { URL } = require("url");

/** Matches the layer version policy routes of the Lambda REST API (2018-10-31). */
const LAYER_POLICY_PATH = /^\/2018-10-31\/layers\/([^/]+)\/versions\/(\d+)\/policy(?:\/([^/?]+))?$/;

/**
 * The list routes AWS answers in pages and moto answers whole: ListFunctions (GET
 * /2015-03-31/functions/) and ListLayerVersions (GET /2018-10-31/layers/<name>/versions), with the
 * key of each answer's list.
 */
const PAGED_LISTS = [
  { path: /^\/2015-03-31\/functions\/?$/, key: "Functions" },
  { path: /^\/2018-10-31\/layers\/[^/]+\/versions\/?$/, key: "LayerVersions" },
];

// ---------------------------------------------------------------------------------------------
// The rules: pure functions, exported for unit tests.
// ---------------------------------------------------------------------------------------------

/**
 * One page of a list as AWS cuts it: at most 50 items whatever MaxItems asks for (fewer when
 * MaxItems is smaller), and an opaque NextMarker while items remain. Source: ListFunctions, MaxItems
 * ("ListFunctions returns a maximum of 50 items in each response, even if you set the number
 * higher", https://docs.aws.amazon.com/lambda/latest/api/API_ListFunctions.html) and
 * ListLayerVersions, MaxItems (1-50, https://docs.aws.amazon.com/lambda/latest/api/API_ListLayerVersions.html).
 */
function awsPage(items, marker, maxItems) {
  const size = Math.min(Math.max(Number(maxItems) || 50, 1), 50);
  const start = marker
    ? Number(
        Buffer.from(marker, "base64url")
          .toString("utf8")
          .replace(/^offset:/, ""),
      ) || 0
    : 0;
  const end = start + size;
  return {
    items: items.slice(start, end),
    nextMarker: end < items.length ? Buffer.from(`offset:${end}`).toString("base64url") : undefined,
  };
}

/**
 * One layer version policy statement as AWS writes it.
 *
 * - `Principal`: AWS stores an account principal as the account's root ARN, `{"AWS":
 *   "arn:aws:iam::<account>:root"}`; moto keeps the bare 12-digit id. `"*"` stays `"*"`.
 *   Source: AWS CLI reference, get-layer-version-policy, example output
 *   (https://docs.aws.amazon.com/cli/latest/reference/lambda/get-layer-version-policy.html), and the
 *   Lambda developer guide, "Granting layer access to other accounts"
 *   (https://docs.aws.amazon.com/lambda/latest/dg/permissions-layer-cross-account.html).
 * - `OrganizationId`: AWS writes the organization grant as a condition on the global key
 *   `aws:PrincipalOrgID` with principal `"*"`; moto keeps the request's `OrganizationId` key inside the
 *   statement. Source: AddLayerVersionPermission, OrganizationId ("With the principal set to *, grant
 *   permission to all accounts in the specified organization",
 *   https://docs.aws.amazon.com/lambda/latest/api/API_AddLayerVersionPermission.html) and IAM's global
 *   condition keys, aws:PrincipalOrgID
 *   (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalorgid).
 * - Key order Sid, Effect, Principal, Action, Resource, Condition, as in AWS's example output.
 */
function awsShapeStatement(statement) {
  const { Sid, Effect, Principal, Action, Resource, Condition, OrganizationId, ...rest } = statement;
  const partition = /^arn:([^:]+):/.exec(String(Resource ?? ""))?.[1] ?? "aws";
  const principal =
    typeof Principal === "string" && /^\d{12}$/.test(Principal) ? { AWS: `arn:${partition}:iam::${Principal}:root` } : Principal;
  let condition = Condition;
  if (OrganizationId !== undefined) {
    const stringEquals = { ...(Condition?.StringEquals ?? {}), "aws:PrincipalOrgID": OrganizationId };
    condition = { ...(Condition ?? {}), StringEquals: stringEquals };
  }
  const shaped = { Sid, Effect, Principal: principal, Action, Resource, ...rest };
  if (condition !== undefined) shaped.Condition = condition;
  return shaped;
}

/**
 * The GetLayerVersionPolicy answer with every statement in AWS's shape. The policy is a JSON string
 * inside the JSON answer, compact as AWS writes it (API reference, GetLayerVersionPolicy:
 * https://docs.aws.amazon.com/lambda/latest/api/API_GetLayerVersionPolicy.html).
 */
function awsShapePolicyAnswer(answer) {
  const policy = JSON.parse(answer.Policy);
  policy.Statement = (policy.Statement ?? []).map(awsShapeStatement);
  return { ...answer, Policy: JSON.stringify(policy) };
}

/** The AddLayerVersionPermission answer: its `Statement` string in AWS's shape (same sources). */
function awsShapeAddPermissionAnswer(answer) {
  return { ...answer, Statement: JSON.stringify(awsShapeStatement(JSON.parse(answer.Statement))) };
}

/**
 * Why AWS would refuse an AddLayerVersionPermission that moto accepts, or undefined.
 * Source: API reference, AddLayerVersionPermission, Errors
 * (https://docs.aws.amazon.com/lambda/latest/api/API_AddLayerVersionPermission.html):
 * - ResourceConflictException, HTTP 409: "The resource already exists". AWS's text for a statement id
 *   already in the version's policy is the one below; moto appends a second statement with the same Sid.
 * - PreconditionFailedException, HTTP 412: the `RevisionId` query parameter does not match the policy's
 *   current revision. moto reads RevisionId from the body only, so it never checks the query's.
 * @param request {StatementId, RevisionId (from the query)}
 * @param current the current GetLayerVersionPolicy answer, or undefined when the version has no policy
 */
function addPermissionRefusal(request, current) {
  if (request.RevisionId && request.RevisionId !== current?.RevisionId) {
    return {
      status: 412,
      type: "PreconditionFailedException",
      message: "The Revision Id provided does not match the latest Revision Id. Call the GetPolicy API to retrieve the latest Revision Id",
    };
  }
  const statements = current ? (JSON.parse(current.Policy).Statement ?? []) : [];
  if (statements.some((s) => s.Sid === request.StatementId)) {
    return {
      status: 409,
      type: "ResourceConflictException",
      message: `The statement id (${request.StatementId}) provided already exists. Please provide a new statement id, or remove the existing statement.`,
    };
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// The proxy.
// ---------------------------------------------------------------------------------------------

const HOP_BY_HOP = new Set(["connection", "keep-alive", "transfer-encoding", "proxy-connection", "upgrade"]);

function forwardHeaders(headers) {
  const out = {};
  for (const [k, v] of Object.entries(headers)) if (!HOP_BY_HOP.has(k.toLowerCase())) out[k] = v;
  return out;
}

/** One request to moto with a buffered body; resolves {status, headers, body (Buffer)}. */
function upstream(moto, method, path, headers, body) {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { ...moto, method, path, headers: { ...forwardHeaders(headers), "content-length": body ? body.length : 0 } },
      (res) => {
        const chunks = [];
        res.on("data", (c) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function sendJson(res, status, headers, value) {
  const body = Buffer.from(JSON.stringify(value));
  res.writeHead(status, { ...forwardHeaders(headers), "content-type": "application/json", "content-length": body.length });
  res.end(body);
}

/** A Lambda error as the REST-JSON protocol carries it: the type in x-amzn-ErrorType and in the body. */
function sendLambdaError(res, refusal) {
  sendJson(res, refusal.status, { "x-amzn-errortype": refusal.type }, { Type: "User", __type: refusal.type, message: refusal.message });
}

async function handleLayerPolicy(moto, req, res, url) {
  const body = await readBody(req);
  if (req.method === "POST") {
    const request = { ...JSON.parse(body.toString("utf8") || "{}"), RevisionId: url.searchParams.get("RevisionId") ?? undefined };
    const current = await upstream(moto, "GET", url.pathname, req.headers);
    const refusal = addPermissionRefusal(request, current.status === 200 ? JSON.parse(current.body.toString("utf8")) : undefined);
    if (refusal) return sendLambdaError(res, refusal);
  }
  const answer = await upstream(moto, req.method, req.url, req.headers, body);
  if (answer.status !== 200 && answer.status !== 201) {
    res.writeHead(answer.status, forwardHeaders(answer.headers));
    return res.end(answer.body);
  }
  const parsed = JSON.parse(answer.body.toString("utf8"));
  if (req.method === "GET") return sendJson(res, 200, answer.headers, awsShapePolicyAnswer(parsed));
  // AddLayerVersionPermission succeeds with HTTP 201 (moto: 200). Source: API reference,
  // AddLayerVersionPermission, Response Syntax "HTTP/1.1 201"; AWS's service model (lambda
  // 2015-03-31, as shipped in botocore) says responseCode 201.
  if (req.method === "POST") return sendJson(res, 201, answer.headers, awsShapeAddPermissionAnswer(parsed));
  sendJson(res, answer.status, answer.headers, parsed);
}

async function handlePagedList(moto, req, res, url, key) {
  const answer = await upstream(moto, "GET", req.url, req.headers);
  if (answer.status !== 200) {
    res.writeHead(answer.status, forwardHeaders(answer.headers));
    return res.end(answer.body);
  }
  const parsed = JSON.parse(answer.body.toString("utf8"));
  const page = awsPage(parsed[key] ?? [], url.searchParams.get("Marker"), url.searchParams.get("MaxItems"));
  sendJson(res, 200, answer.headers, { ...parsed, [key]: page.items, NextMarker: page.nextMarker });
}

function passThrough(moto, req, res) {
  const out = http.request({ ...moto, method: req.method, path: req.url, headers: req.headers }, (answer) => {
    res.writeHead(answer.statusCode, forwardHeaders(answer.headers));
    answer.pipe(res);
  });
  out.on("error", (err) => {
    if (!res.headersSent) res.writeHead(502, { "content-type": "text/plain" });
    res.end(`aws-shape-proxy: moto did not answer: ${err.message}`);
  });
  req.pipe(out);
}

function createProxy(moto) {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, "http://localhost");
    if (LAYER_POLICY_PATH.test(url.pathname) && ["GET", "POST", "DELETE"].includes(req.method)) {
      handleLayerPolicy(moto, req, res, url).catch((err) => {
        if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
        res.end(`aws-shape-proxy: ${err.stack}`);
      });
    } else if (req.method === "GET" && PAGED_LISTS.some((l) => l.path.test(url.pathname))) {
      handlePagedList(moto, req, res, url, PAGED_LISTS.find((l) => l.path.test(url.pathname)).key).catch((err) => {
        if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
        res.end(`aws-shape-proxy: ${err.stack}`);
      });
    } else {
      passThrough(moto, req, res);
    }
  });
  // Keep idle connections open: a client whose event loop is blocked (spawnSync in a jest worker)
  // cannot see the server close one, and would reuse it and fail with "other side closed".
  server.keepAliveTimeout = 0;
  return server;
}

// ---------------------------------------------------------------------------------------------
// The process: moto as a child, the proxy, and the lifecycle.
// ---------------------------------------------------------------------------------------------

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Resolves when moto answers HTTP; rejects when it exits first or after the timeout. */
function waitForMoto(port, child, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    let exited = false;
    child.once("exit", (code, signal) => {
      exited = true;
      reject(new Error(`moto exited before answering (code ${code}, signal ${signal})`));
    });
    const attempt = () => {
      if (exited) return;
      const req = http.get({ host: "127.0.0.1", port, path: "/moto-api/data.json" }, (res) => {
        res.resume();
        resolve();
      });
      req.on("error", () => {
        if (Date.now() > deadline) reject(new Error(`moto did not answer on 127.0.0.1:${port} within ${timeoutMs} ms`));
        else setTimeout(attempt, 100);
      });
    };
    attempt();
  });
}

function parseArgs(argv) {
  const args = {};
  for (let i = 0; i < argv.length; i += 2) args[argv[i].replace(/^--/, "")] = argv[i + 1];
  return args;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const python = args.python ?? "/usr/bin/python3";
  const log = fs.openSync(args.log ?? "/dev/null", "a");
  const motoPort = await freePort();
  const moto = spawn(python, ["-m", "moto.server", "-H", "127.0.0.1", "-p", String(motoPort)], {
    env: { ...process.env, PYTHONPATH: args.pythonpath ?? "", MOTO_IAM_LOAD_MANAGED_POLICIES: "true" },
    stdio: ["ignore", log, log],
  });
  const stop = () => {
    moto.kill("SIGTERM");
    process.exit(0);
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
  process.stdin.on("end", stop);
  process.stdin.on("close", stop);
  process.stdin.resume();
  moto.on("error", (err) => {
    process.stderr.write(`aws-shape-proxy: cannot run ${python}: ${err.message}\n`);
    process.exit(3);
  });

  try {
    await waitForMoto(motoPort, moto, Number(args["timeout-ms"] ?? 60000));
  } catch (err) {
    process.stderr.write(`aws-shape-proxy: ${err.message}\n`);
    moto.kill("SIGKILL");
    process.exit(3);
  }
  moto.on("exit", (code, signal) => {
    process.stderr.write(`aws-shape-proxy: moto exited (code ${code}, signal ${signal})\n`);
    process.exit(4);
  });

  const server = createProxy({ host: "127.0.0.1", port: motoPort });
  server.listen(0, "127.0.0.1", () => {
    const { port } = server.address();
    process.stdout.write(
      `${JSON.stringify({ endpoint: `http://127.0.0.1:${port}`, motoUrl: `http://127.0.0.1:${motoPort}`, motoPid: moto.pid })}\n`,
    );
  });
}

module.exports = {
  awsShapeStatement,
  awsShapePolicyAnswer,
  awsShapeAddPermissionAnswer,
  addPermissionRefusal,
  awsPage,
  createProxy,
  LAYER_POLICY_PATH,
};

if (require.main === module) main();
