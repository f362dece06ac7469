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
const { URL, URLSearchParams } = require("url");

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

/**
 * Whether a role's trust policy lets `callerAccount` assume it: an Allow statement for sts:AssumeRole
 * whose AWS principal is `*`, the account, its root or any ARN of the account. Source: IAM User
 * Guide, "Roles terms and concepts", trust policy ("a resource-based policy ... that defines which
 * principals can assume the role", https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles.html#iam-term-trust-policy)
 * and "Granting a user permissions to switch roles": both the trust policy and the caller's
 * permissions must allow it (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_permissions-to-switch.html).
 * moto checks neither, and lets a role that does not exist be assumed.
 */
function trustAllows(trustPolicy, callerAccount) {
  const statements = [].concat(trustPolicy?.Statement ?? []);
  return statements.some((s) => {
    const actions = [].concat(s.Action ?? []);
    if (s.Effect !== "Allow" || !actions.some((a) => ["sts:AssumeRole", "sts:*", "*"].includes(a))) return false;
    const principals = [].concat(s.Principal === "*" ? "*" : (s.Principal?.AWS ?? []));
    return principals.some((p) => p === "*" || p === callerAccount || new RegExp(`^arn:[^:]+:(iam|sts)::${callerAccount}:`).test(p));
  });
}

/**
 * AWS's answer to an AssumeRole the caller may not make (the role does not exist, or its trust policy
 * does not name the caller): HTTP 403, code AccessDenied, the same text in both cases so that role
 * names cannot be probed. Source: STS API reference, AssumeRole
 * (https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html) and Common Errors,
 * AccessDenied HTTP 403 (https://docs.aws.amazon.com/STS/latest/APIReference/CommonErrors.html); the
 * message as AWS's knowledge center quotes it ("An error occurred (AccessDenied) when calling the
 * AssumeRole operation: User: ... is not authorized to perform: sts:AssumeRole on resource: ...",
 * https://repost.aws/knowledge-center/iam-assume-role-error).
 */
function assumeRoleDenied(callerArn, roleArn) {
  const message = `User: ${callerArn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`;
  return (
    `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>AccessDenied</Code>` +
    `<Message>${xmlEscape(message)}</Message></Error><RequestId>aws-shape-proxy</RequestId></ErrorResponse>`
  );
}

/**
 * Whether a layer version policy (moto's raw statements) lets `callerAccount` (member of
 * `callerOrganization`, or undefined) use the version: a statement for lambda:GetLayerVersion whose
 * principal is the account, `*` (public) or `*` with the caller's organization. Source: Lambda
 * developer guide, "Granting layer access to other accounts": a statement grants "a single account,
 * all accounts, or an organization" (https://docs.aws.amazon.com/lambda/latest/dg/permissions-layer-cross-account.html).
 */
function layerGrantAllows(statements, callerAccount, callerOrganization) {
  return statements.some((s) => {
    const actions = [].concat(s.Action ?? []);
    if (s.Effect === "Deny" || !actions.some((a) => a === "lambda:GetLayerVersion" || a === "lambda:*")) return false;
    const principal = typeof s.Principal === "object" && s.Principal !== null ? s.Principal.AWS : s.Principal;
    const org = s.OrganizationId ?? s.Condition?.StringEquals?.["aws:PrincipalOrgID"];
    if (principal === "*") return org === undefined || org === callerOrganization;
    return principal === callerAccount || new RegExp(`^arn:[^:]+:iam::${callerAccount}:root$`).test(String(principal));
  });
}

/**
 * AWS's answer to CreateFunction with a layer version of another account that the caller may not use:
 * AccessDeniedException, HTTP 403 (API reference, CreateFunction, Layers: "Specify each layer by its
 * ARN, including the version", https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html;
 * Common Errors, AccessDeniedException 403, https://docs.aws.amazon.com/lambda/latest/api/CommonErrors.html).
 * The message is the one AWS writes when no resource-based policy allows an action on a layer of
 * another account.
 */
function layerAccessDenied(callerArn, layerVersionArn) {
  return {
    status: 403,
    type: "AccessDeniedException",
    message:
      `User: ${callerArn} is not authorized to perform: lambda:GetLayerVersion on resource: ${layerVersionArn} ` +
      "because no resource-based policy allows the lambda:GetLayerVersion action",
  };
}

/** A layer version ARN's parts, or undefined. */
function parseLayerVersionArn(arn) {
  const m = /^arn:([^:]+):lambda:([^:]+):(\d{12}):layer:([^:]+):(\d+)$/.exec(arn);
  return m ? { partition: m[1], region: m[2], account: m[3], name: m[4], version: m[5] } : undefined;
}

function xmlEscape(s) {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

function xmlUnescape(s) {
  return s
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
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
  let items = parsed[key] ?? [];
  if (key === "Functions" && foreignLayers.size > 0) {
    const caller = await callerOf(moto, req.headers);
    const region = credentialScope(req.headers)?.region;
    items = items.map((f) => withForeignLayers(caller.account, region, f));
  }
  const page = awsPage(items, url.searchParams.get("Marker"), url.searchParams.get("MaxItems"));
  sendJson(res, 200, answer.headers, { ...parsed, [key]: page.items, NextMarker: page.nextMarker });
}

// ---------------------------------------------------------------------------------------------
// Several accounts. moto keeps resources per account and switches account on AssumeRole
// credentials; the proxy adds what AWS checks across accounts (see trustAllows, layerGrantAllows).
// ---------------------------------------------------------------------------------------------

/** The credential scope of a SigV4 Authorization header: {accessKey, region, service}. */
function credentialScope(headers) {
  const m = /Credential=([^/]+)\/[^/]+\/([^/]+)\/([^/]+)\/aws4_request/.exec(String(headers.authorization ?? ""));
  return m ? { accessKey: m[1], region: m[2], service: m[3] } : undefined;
}

/** The same Authorization header, scoped to another service (moto routes by the scope's service). */
function scopedTo(headers, service) {
  return String(headers.authorization ?? "").replace(/(Credential=[^/]+\/[^/]+\/[^/]+\/)[^/]+(\/aws4_request)/, `$1${service}$2`);
}

/** A query-protocol call to moto (STS, IAM) as `account` when given; resolves {status, text}. */
async function motoQuery(moto, headers, service, params, account) {
  const body = Buffer.from(new URLSearchParams(params).toString());
  const answer = await upstream(
    moto,
    "POST",
    "/",
    {
      authorization: scopedTo(headers, service),
      "content-type": "application/x-www-form-urlencoded",
      ...(account ? { "x-moto-account-id": account } : {}),
    },
    body,
  );
  return { status: answer.status, text: answer.body.toString("utf8") };
}

function xmlField(text, name) {
  const m = new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(text);
  return m ? xmlUnescape(m[1]) : undefined;
}

/** Who the request's credentials are: {account, arn}, from moto's GetCallerIdentity. */
async function callerOf(moto, headers) {
  const r = await motoQuery(moto, headers, "sts", { Action: "GetCallerIdentity", Version: "2011-06-15" });
  return { account: xmlField(r.text, "Account"), arn: xmlField(r.text, "Arn") };
}

async function handleAssumeRole(moto, req, res, body) {
  const params = new URLSearchParams(body.toString("utf8"));
  const roleArn = params.get("RoleArn") ?? "";
  const caller = await callerOf(moto, req.headers);
  const m = /^arn:[^:]+:iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(roleArn);
  let allowed = false;
  if (m) {
    const role = await motoQuery(moto, req.headers, "iam", { Action: "GetRole", RoleName: m[2], Version: "2010-05-08" }, m[1]);
    const document = role.status === 200 ? xmlField(role.text, "AssumeRolePolicyDocument") : undefined;
    if (document !== undefined) {
      // IAM returns the trust policy URL-encoded (GetRole, Role.AssumeRolePolicyDocument).
      const text = document.trim().startsWith("{") ? document : decodeURIComponent(document);
      allowed = trustAllows(JSON.parse(text), caller.account);
    }
  }
  if (!allowed) {
    const xml = Buffer.from(assumeRoleDenied(caller.arn, roleArn));
    res.writeHead(403, { "content-type": "text/xml", "content-length": xml.length });
    return res.end(xml);
  }
  const answer = await upstream(moto, "POST", req.url, req.headers, body);
  res.writeHead(answer.status, forwardHeaders(answer.headers));
  res.end(answer.body);
}

/**
 * Layers of other accounts on functions, which moto cannot hold (it looks a layer up in the caller's
 * account only): account/region/function name -> the function's layers in order, as AWS lists them
 * ({Arn, CodeSize}).
 */
const foreignLayers = new Map();
const functionKey = (account, region, name) => `${account}/${region}/${name}`;

/** moto's GetLayerVersion and policy of a layer version in its own account: {version, statements} or undefined. */
async function readForeignLayer(moto, headers, layer) {
  const as = {
    authorization: scopedTo(headers, "lambda").replace(/(Credential=[^/]+\/[^/]+\/)[^/]+/, `$1${layer.region}`),
    "x-moto-account-id": layer.account,
  };
  const base = `/2018-10-31/layers/${encodeURIComponent(layer.name)}/versions/${layer.version}`;
  const version = await upstream(moto, "GET", base, as);
  if (version.status !== 200) return undefined;
  const policy = await upstream(moto, "GET", `${base}/policy`, as);
  const statements = policy.status === 200 ? (JSON.parse(JSON.parse(policy.body.toString("utf8")).Policy).Statement ?? []) : [];
  return { version: JSON.parse(version.body.toString("utf8")), statements };
}

async function callerOrganization(moto, headers) {
  const answer = await upstream(
    moto,
    "POST",
    "/",
    {
      authorization: scopedTo(headers, "organizations"),
      "content-type": "application/x-amz-json-1.1",
      "x-amz-target": "AWSOrganizationsV20161128.DescribeOrganization",
    },
    Buffer.from("{}"),
  );
  return answer.status === 200 ? JSON.parse(answer.body.toString("utf8")).Organization?.Id : undefined;
}

/**
 * CreateFunction and UpdateFunctionConfiguration with layer versions of other accounts: AWS resolves
 * each ARN in its own account and checks that account's grant (see layerGrantAllows); moto looks in
 * the caller's account and answers ResourceNotFoundException. The proxy checks the grant, lets moto
 * set the function's own layers only, and keeps the others to list them where AWS does
 * (ListFunctions, GetFunction, GetFunctionConfiguration). Sources: API reference, CreateFunction and
 * UpdateFunctionConfiguration, Layers ("Specify each layer by its ARN, including the version",
 * https://docs.aws.amazon.com/lambda/latest/api/API_UpdateFunctionConfiguration.html).
 * @param functionName from the path (UpdateFunctionConfiguration), else the body's FunctionName
 */
async function handleFunctionLayers(moto, req, res, functionName) {
  const body = await readBody(req);
  const request = JSON.parse(body.toString("utf8") || "{}");
  const name = functionName ?? request.FunctionName;
  const scope = credentialScope(req.headers);
  const caller = await callerOf(moto, req.headers);
  const key = functionKey(caller.account, scope?.region, name);
  const forward = async (sent) => upstream(moto, req.method, req.url, req.headers, sent);
  if (request.Layers === undefined) {
    // An update that leaves the layers alone: moto's answer lacks the kept ones of other accounts.
    const answer = await forward(body);
    if (answer.status !== 200 || !foreignLayers.has(key)) {
      res.writeHead(answer.status, forwardHeaders(answer.headers));
      return res.end(answer.body);
    }
    return sendJson(res, 200, answer.headers, { ...JSON.parse(answer.body.toString("utf8")), Layers: foreignLayers.get(key) });
  }
  const layers = [].concat(request.Layers);
  const foreign = layers.map(parseLayerVersionArn).filter((l) => l && l.account !== caller.account);
  const found = new Map();
  if (foreign.length > 0) {
    const organization = await callerOrganization(moto, req.headers);
    for (const layer of foreign) {
      const arn = `arn:${layer.partition}:lambda:${layer.region}:${layer.account}:layer:${layer.name}:${layer.version}`;
      const read = await readForeignLayer(moto, req.headers, layer);
      if (!read || !layerGrantAllows(read.statements, caller.account, organization))
        return sendLambdaError(res, layerAccessDenied(caller.arn, arn));
      found.set(arn, { Arn: arn, CodeSize: read.version.Content?.CodeSize });
    }
  }
  const own = layers.filter((arn) => !found.has(arn));
  const answer = await forward(found.size > 0 ? Buffer.from(JSON.stringify({ ...request, Layers: own })) : body);
  if (answer.status !== 201 && answer.status !== 200) {
    res.writeHead(answer.status, forwardHeaders(answer.headers));
    return res.end(answer.body);
  }
  if (found.size === 0) {
    foreignLayers.delete(key);
    res.writeHead(answer.status, forwardHeaders(answer.headers));
    return res.end(answer.body);
  }
  const configured = JSON.parse(answer.body.toString("utf8"));
  const ownAnswered = new Map((configured.Layers ?? []).map((l) => [l.Arn, l]));
  const ordered = layers.map((arn) => found.get(arn) ?? ownAnswered.get(arn) ?? { Arn: arn });
  foreignLayers.set(key, ordered);
  sendJson(res, answer.status, answer.headers, { ...configured, Layers: ordered });
}

/** A function configuration with the layers of other accounts the proxy keeps for it. */
function withForeignLayers(account, region, configuration) {
  const layers = foreignLayers.get(functionKey(account, region, configuration.FunctionName));
  return layers ? { ...configuration, Layers: layers } : configuration;
}

/** GetFunction / GetFunctionConfiguration / DeleteFunction of a function with layers of other accounts. */
async function handleFunction(moto, req, res, url) {
  const scope = credentialScope(req.headers);
  const caller = await callerOf(moto, req.headers);
  const answer = await upstream(moto, req.method, req.url, req.headers, await readBody(req));
  const name = decodeURIComponent(FUNCTION_PATH.exec(url.pathname)[1]);
  if (req.method === "DELETE" && answer.status < 300) foreignLayers.delete(functionKey(caller.account, scope?.region, name));
  if (req.method !== "GET" || answer.status !== 200) {
    res.writeHead(answer.status, forwardHeaders(answer.headers));
    return res.end(answer.body);
  }
  const parsed = JSON.parse(answer.body.toString("utf8"));
  const shaped = parsed.Configuration
    ? { ...parsed, Configuration: withForeignLayers(caller.account, scope?.region, parsed.Configuration) }
    : withForeignLayers(caller.account, scope?.region, parsed);
  sendJson(res, 200, answer.headers, shaped);
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

/** GetFunction, GetFunctionConfiguration and DeleteFunction (with or without a qualifier). */
const FUNCTION_PATH = /^\/2015-03-31\/functions\/([^/]+)(?:\/configuration)?\/?$/;
const CREATE_FUNCTION_PATH = /^\/2015-03-31\/functions\/?$/;
/** UpdateFunctionConfiguration. */
const FUNCTION_CONFIGURATION_PATH = /^\/2015-03-31\/functions\/([^/]+)\/configuration\/?$/;

function createProxy(moto) {
  const fail = (res) => (err) => {
    if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
    res.end(`aws-shape-proxy: ${err.stack}`);
  };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, "http://localhost");
    const service = credentialScope(req.headers)?.service;
    if (req.method === "POST" && url.pathname === "/moto-api/reset") {
      // moto forgets every account's resources: so does the proxy.
      foreignLayers.clear();
      passThrough(moto, req, res);
    } else if (req.method === "POST" && url.pathname === "/" && service === "sts") {
      readBody(req)
        .then((body) =>
          new URLSearchParams(body.toString("utf8")).get("Action") === "AssumeRole"
            ? handleAssumeRole(moto, req, res, body)
            : upstream(moto, "POST", req.url, req.headers, body).then((answer) => {
                res.writeHead(answer.status, forwardHeaders(answer.headers));
                res.end(answer.body);
              }),
        )
        .catch(fail(res));
    } else if (req.method === "POST" && CREATE_FUNCTION_PATH.test(url.pathname)) {
      handleFunctionLayers(moto, req, res, undefined).catch(fail(res));
    } else if (req.method === "PUT" && FUNCTION_CONFIGURATION_PATH.test(url.pathname)) {
      handleFunctionLayers(moto, req, res, decodeURIComponent(FUNCTION_CONFIGURATION_PATH.exec(url.pathname)[1])).catch(fail(res));
    } else if (["GET", "DELETE"].includes(req.method) && FUNCTION_PATH.test(url.pathname) && foreignLayers.size > 0) {
      handleFunction(moto, req, res, url).catch(fail(res));
    } else if (LAYER_POLICY_PATH.test(url.pathname) && ["GET", "POST", "DELETE"].includes(req.method)) {
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
  trustAllows,
  layerGrantAllows,
  awsShapeStatement,
  awsShapePolicyAnswer,
  awsShapeAddPermissionAnswer,
  addPermissionRefusal,
  awsPage,
  createProxy,
  LAYER_POLICY_PATH,
};

if (require.main === module) main();
