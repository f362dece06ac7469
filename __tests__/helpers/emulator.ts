// The local AWS emulator for apply-cycle tests: moto (Debian's python3-moto, installed by
// scripts/install-emulator.sh) behind a loopback proxy that answers in AWS's documented shapes
// (aws-shape-proxy.js, each rule citing its source). Both run as one child process group on free
// loopback ports, outside the jest worker, so spawnSync(terraform) cannot starve them.
//
//   const emulator = await startEmulator();           // throws (never skips) when moto cannot start
//   const tf = terraformIn(dir, emulator);            // terraform with the emulator's environment
//   tf.init(); tf.apply(); expect(tf.planExitCode()).toBe(0);
//   await emulator.stop();                            // afterAll
//
// Terraform, the AWS SDK for JavaScript v3 and cdktf reach it through the environment alone
// (`AWS_ENDPOINT_URL`, static credentials, region): no override file and nothing in generated code.
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { tempDir } from "./files";
import { writeZip as writeZipFile } from "../../modules/packaging/zip-writer";
import { findProviderMirror, requireTerraform } from "./terraform";

/** The one command that installs the emulator on a fresh machine (as root); `.ci/run` runs it. */
export const EMULATOR_INSTALL_COMMAND = "bash scripts/install-emulator.sh";

/** Where scripts/install-emulator.sh unpacks moto: $CDKTF_LAYERS_EMULATOR_DIR, else /opt/cdktf-layers-emulator. */
export function emulatorDir(): string {
  return process.env.CDKTF_LAYERS_EMULATOR_DIR || "/opt/cdktf-layers-emulator";
}

/** moto's account id for any credentials (moto's default account). */
export const EMULATOR_ACCOUNT_ID = "123456789012";

export interface EmulatorOptions {
  /** Region for AWS_REGION / AWS_DEFAULT_REGION. @default "us-east-1" */
  readonly region?: string;
  /** How long moto may take to answer. @default 60000 */
  readonly startTimeoutMs?: number;
}

export interface Emulator {
  /** The AWS-shape proxy: the URL every client uses (it is AWS_ENDPOINT_URL in `env`). */
  readonly endpoint: string;
  /** moto itself, without the proxy's rules: only for tests that compare the two. */
  readonly motoUrl: string;
  /** The account id the emulator gives every resource (`123456789012`). */
  readonly accountId: string;
  readonly region: string;
  /**
   * The environment for child processes (terraform, cdktf, node with the AWS SDK v3): this process's
   * environment without any AWS_* variable, plus the endpoint, static test credentials, the region,
   * TF_CLI_CONFIG_FILE (provider mirror when there is one), TF_IN_AUTOMATION and CHECKPOINT_DISABLE.
   */
  readonly env: NodeJS.ProcessEnv;
  /** The file moto and the proxy write their log to (named in errors). */
  readonly logFile: string;
  /** Forgets every resource in every region and account (moto's reset API, through the proxy). */
  reset(): Promise<void>;
  /** Stops moto and the proxy (kills their process group) and waits until they are gone. */
  stop(): Promise<void>;
}

/**
 * Starts moto and the AWS-shape proxy on free loopback ports. Throws, naming the install command,
 * when moto is not installed or does not start: the tests that need it fail, never skip.
 */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const region = options.region ?? "us-east-1";
  const python = process.env.CDKTF_LAYERS_EMULATOR_PYTHON || "/usr/bin/python3";
  const pythonPath = path.join(emulatorDir(), "moto", "usr", "lib", "python3", "dist-packages");
  if (!fs.existsSync(path.join(pythonPath, "moto", "server.py"))) {
    throw new Error(
      `The AWS emulator (moto) is not installed: ${pythonPath}/moto/server.py is missing. ` +
        `Install it as root with \`${EMULATOR_INSTALL_COMMAND}\` (\`.ci/run\` does), or set CDKTF_LAYERS_EMULATOR_DIR.`,
    );
  }
  const work = tempDir("aws-emulator-");
  const logFile = path.join(work, "emulator.log");
  const child = spawn(
    process.execPath,
    [
      path.join(__dirname, "aws-shape-proxy.js"),
      "--python",
      python,
      "--pythonpath",
      pythonPath,
      "--log",
      logFile,
      "--timeout-ms",
      String(options.startTimeoutMs ?? 60000),
    ],
    // Own process group (detached) so stop() can kill moto with it; stdin is a pipe whose close stops both.
    { detached: true, stdio: ["pipe", "pipe", "pipe"] },
  );
  const started = await new Promise<{ endpoint: string; motoUrl: string }>((resolve, reject) => {
    let stdout = "";
    let stderr = "";
    const fail = (why: string) => {
      const log = fs.existsSync(logFile) ? fs.readFileSync(logFile, "utf8").split("\n").slice(-30).join("\n") : "";
      reject(
        new Error(
          `The AWS emulator did not start: ${why}\n${stderr}\nmoto's log (${logFile}):\n${log}\n` +
            `Install or repair it as root with \`${EMULATOR_INSTALL_COMMAND}\` (\`.ci/run\` does).`,
        ),
      );
    };
    child.stdout!.on("data", (chunk: Buffer) => {
      stdout += chunk.toString("utf8");
      const line = stdout.split("\n")[0];
      if (stdout.includes("\n")) resolve(JSON.parse(line));
    });
    child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    child.once("error", (err) => fail(err.message));
    child.once("exit", (code, signal) => fail(`the proxy exited (code ${code}, signal ${signal})`));
  });
  child.removeAllListeners("exit");
  child.stdout!.removeAllListeners("data").resume();
  child.stderr!.removeAllListeners("data").resume();

  const cliConfig = path.join(work, "terraformrc");
  const mirror = findProviderMirror();
  fs.writeFileSync(cliConfig, mirror ? `provider_installation {\n  filesystem_mirror {\n    path = "${mirror}"\n  }\n}\n` : "");
  const env = emulatorEnv(started.endpoint, region, cliConfig, work);

  let stopped: Promise<void> | undefined;
  return {
    endpoint: started.endpoint,
    motoUrl: started.motoUrl,
    accountId: EMULATOR_ACCOUNT_ID,
    region,
    env,
    logFile,
    async reset() {
      // Through the proxy, which forgets what it keeps per account too (layers of other accounts on functions).
      const res = await fetch(`${started.endpoint}/moto-api/reset`, { method: "POST" });
      if (!res.ok) throw new Error(`moto reset failed: HTTP ${res.status} ${await res.text()}`);
    },
    stop() {
      stopped ??= new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const timer = setTimeout(() => killGroup(child.pid!, "SIGKILL"), 5000);
        child.once("exit", () => {
          clearTimeout(timer);
          resolve();
        });
        killGroup(child.pid!, "SIGTERM");
      });
      return stopped;
    },
  };
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

function emulatorEnv(endpoint: string, region: string, cliConfig: string, work: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("AWS_")) env[k] = v;
  return {
    ...env,
    // One endpoint for every service and region: read by the AWS provider (aws-sdk-go-base), the AWS
    // SDK for JavaScript v3, boto3 and the AWS CLI.
    AWS_ENDPOINT_URL: endpoint,
    AWS_ACCESS_KEY_ID: "emulator",
    AWS_SECRET_ACCESS_KEY: "emulator",
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    // Never read a developer's profiles or the instance metadata service.
    AWS_CONFIG_FILE: path.join(work, "no-aws-config"),
    AWS_SHARED_CREDENTIALS_FILE: path.join(work, "no-aws-credentials"),
    AWS_EC2_METADATA_DISABLED: "true",
    TF_CLI_CONFIG_FILE: cliConfig,
    TF_IN_AUTOMATION: "1",
    TF_INPUT: "0",
    CHECKPOINT_DISABLE: "1",
    DISABLE_VERSION_CHECK: "true",
  };
}

/**
 * Starts the emulator before the tests of the enclosing `describe` (or file) and stops it after
 * them. Returns the running emulator, for use inside tests and hooks.
 */
export function useEmulator(options: EmulatorOptions = {}): () => Emulator {
  let emulator: Emulator | undefined;
  beforeAll(async () => {
    emulator = await startEmulator(options);
  }, 120_000);
  afterAll(async () => {
    await emulator?.stop();
  });
  return () => {
    if (!emulator) throw new Error("the emulator has not started: useEmulator()'s beforeAll did not run or failed");
    return emulator;
  };
}

export interface TerraformResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface EmulatorTerraform {
  readonly dir: string;
  /** Runs `terraform <args>` in `dir` with the emulator's environment. */
  run(args: string[]): TerraformResult;
  /** `terraform init` through the provider mirror; throws with terraform's output on failure. */
  init(): void;
  /** `terraform apply -auto-approve`; throws with terraform's output on failure. */
  apply(extraArgs?: string[]): TerraformResult;
  /** `terraform plan -detailed-exitcode`: 0 no changes, 2 changes; throws on 1 (an error). */
  plan(extraArgs?: string[]): TerraformResult;
  /** `terraform destroy -auto-approve`; throws with terraform's output on failure. */
  destroy(extraArgs?: string[]): TerraformResult;
  /** `terraform show -json` of the state. */
  state(): { values?: { root_module?: { resources?: Array<{ address: string; type: string; values: Record<string, unknown> }> } } };
}

/**
 * Terraform in `dir` (a folder of .tf/.tf.json files, e.g. a synthesized stack) against the
 * emulator. Nothing is written into `dir` except what terraform itself writes.
 */
export function terraformIn(dir: string, emulator: Pick<Emulator, "env">): EmulatorTerraform {
  requireTerraform();
  const run = (args: string[]): TerraformResult => {
    const r = spawnSync("terraform", args, { cwd: dir, env: emulator.env, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    return { status: r.status ?? -1, stdout: r.stdout ?? "", stderr: r.stderr ?? (r.error ? String(r.error) : "") };
  };
  const must = (args: string[], ok: number[] = [0]): TerraformResult => {
    const r = run(args);
    if (!ok.includes(r.status)) throw new Error(`terraform ${args.join(" ")} exited ${r.status} in ${dir}:\n${r.stdout}\n${r.stderr}`);
    return r;
  };
  return {
    dir,
    run,
    init: () => void must(["init", "-input=false", "-no-color"]),
    apply: (extra = []) => must(["apply", "-auto-approve", "-input=false", "-no-color", ...extra]),
    plan: (extra = []) => must(["plan", "-detailed-exitcode", "-input=false", "-no-color", ...extra], [0, 2]),
    destroy: (extra = []) => must(["destroy", "-auto-approve", "-input=false", "-no-color", ...extra]),
    state: () => JSON.parse(must(["show", "-json", "-no-color"]).stdout),
  };
}

/** Writes a small zip (the project's deterministic writer) of `files` ({ "python/a.py": "x = 1" }). */
export function writeZip(file: string, files: Record<string, string>): string {
  const entries = Object.keys(files)
    .sort()
    .map((name) => ({ name, mode: 0o644, data: Buffer.from(files[name]) }));
  fs.mkdirSync(path.dirname(file), { recursive: true });
  writeZipFile(file, entries);
  return file;
}

export interface EmulatorResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** The body parsed as JSON, or undefined when it is empty or not JSON. */
  readonly json: any;
}

/**
 * One plain HTTP call to the emulator (the proxy, or `base`), with an Authorization header whose
 * credential scope names `service` and the region: how moto routes a request. The signature is not
 * checked by moto, so none is computed. For REST-JSON APIs such as Lambda's.
 */
export async function emulatorRequest(
  emulator: Pick<Emulator, "endpoint" | "region">,
  request: { service: string; method: string; path: string; body?: unknown; base?: string; headers?: Record<string, string> },
): Promise<EmulatorResponse> {
  const body = request.body === undefined ? undefined : typeof request.body === "string" ? request.body : JSON.stringify(request.body);
  const res = await fetch(`${request.base ?? emulator.endpoint}${request.path}`, {
    method: request.method,
    headers: {
      authorization: `AWS4-HMAC-SHA256 Credential=emulator/20260101/${emulator.region}/${request.service}/aws4_request, SignedHeaders=host, Signature=0`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
      ...request.headers,
    },
    body,
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

/**
 * Creates IAM role `name` in `account` (any 12-digit id: moto keeps resources per account) whose
 * trust policy lets `trustedAccount` assume it; returns its ARN. The emulator's AWS-shape proxy
 * refuses AssumeRole into a role that does not exist or does not trust the caller, as AWS does.
 * @default trustedAccount - the emulator's own account
 */
export async function createAccountRole(
  emulator: Pick<Emulator, "endpoint" | "region" | "accountId">,
  account: string,
  name: string,
  trustedAccount: string = emulator.accountId,
): Promise<string> {
  const body = new URLSearchParams({
    Action: "CreateRole",
    Version: "2010-05-08",
    RoleName: name,
    AssumeRolePolicyDocument: JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${trustedAccount}:root` }, Action: "sts:AssumeRole" }],
    }),
  });
  const res = await fetch(emulator.endpoint, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      authorization: `AWS4-HMAC-SHA256 Credential=emulator/20260101/${emulator.region}/iam/aws4_request, SignedHeaders=host, Signature=0`,
      // moto's way to act as another account without credentials of it (moto/core/responses.py, get_current_account).
      "x-moto-account-id": account,
    },
    body: body.toString(),
  });
  if (res.status !== 200) throw new Error(`CreateRole ${name} in ${account} failed: HTTP ${res.status} ${await res.text()}`);
  return `arn:aws:iam::${account}:role/${name}`;
}

/**
 * The CLI in this process against the emulator (a child process costs seconds of ts-node each): the
 * SDK's standard chain reads the emulator's AWS_* variables, set on process.env for the call only.
 */
export async function runCliAgainst(
  emulator: Pick<Emulator, "env">,
  args: string[],
): Promise<{ status: number; stdout: string; stderr: string }> {
  const { runCli } = await import("../../bin/cdktf-lambda-layers");
  const keys = Object.keys(emulator.env).filter((k) => k.startsWith("AWS_"));
  const saved = Object.fromEntries(keys.map((k) => [k, process.env[k]]));
  for (const k of keys) process.env[k] = emulator.env[k];
  let stdout = "";
  let stderr = "";
  try {
    const status = await runCli(
      args,
      (t) => (stdout += t),
      (t) => (stderr += t),
    );
    return { status, stdout, stderr };
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}
