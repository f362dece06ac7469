// Lambda runtimes and architectures as values with behaviour (family, version, where a layer
// must put its content), instead of bare strings scattered through the code.
import { errors } from "../core/errors";
import { closestName } from "../core/option-names";
import { LAMBDA_OS_GLIBC, LambdaOs, RUNTIME_CATALOGUE, RuntimeCatalogueEntry } from "./runtime-catalogue";

/** The language family of a runtime: it decides where Lambda looks inside /opt. */
export enum RuntimeFamily {
  PYTHON = "python",
  NODEJS = "nodejs",
  RUBY = "ruby",
  JAVA = "java",
  DOTNET = "dotnet",
  PROVIDED = "provided",
}

/**
 * A Lambda runtime identifier.
 *
 * @example
 * Runtime.PYTHON_3_12.name // "python3.12"
 * Runtime.of("nodejs20.x").family // RuntimeFamily.NODEJS
 */
export class Runtime {
  private static readonly known = new Map<string, Runtime>();

  public static readonly NODEJS_18_X = Runtime.register("nodejs18.x");
  public static readonly NODEJS_20_X = Runtime.register("nodejs20.x");
  public static readonly NODEJS_22_X = Runtime.register("nodejs22.x");
  public static readonly NODEJS_24_X = Runtime.register("nodejs24.x");
  public static readonly PYTHON_3_9 = Runtime.register("python3.9");
  public static readonly PYTHON_3_10 = Runtime.register("python3.10");
  public static readonly PYTHON_3_11 = Runtime.register("python3.11");
  public static readonly PYTHON_3_12 = Runtime.register("python3.12");
  public static readonly PYTHON_3_13 = Runtime.register("python3.13");
  public static readonly PYTHON_3_14 = Runtime.register("python3.14");
  public static readonly RUBY_3_2 = Runtime.register("ruby3.2");
  public static readonly RUBY_3_3 = Runtime.register("ruby3.3");
  public static readonly RUBY_3_4 = Runtime.register("ruby3.4");
  public static readonly RUBY_4_0 = Runtime.register("ruby4.0");
  public static readonly JAVA_8_AL2 = Runtime.register("java8.al2");
  public static readonly JAVA_11 = Runtime.register("java11");
  public static readonly JAVA_17 = Runtime.register("java17");
  public static readonly JAVA_21 = Runtime.register("java21");
  public static readonly JAVA_25 = Runtime.register("java25");
  public static readonly JAVA_8_AL2023 = Runtime.register("java8.al2023");
  public static readonly JAVA_11_AL2023 = Runtime.register("java11.al2023");
  public static readonly JAVA_17_AL2023 = Runtime.register("java17.al2023");
  public static readonly DOTNET_8 = Runtime.register("dotnet8");
  public static readonly DOTNET_10 = Runtime.register("dotnet10");
  public static readonly PROVIDED_AL2 = Runtime.register("provided.al2");
  public static readonly PROVIDED_AL2023 = Runtime.register("provided.al2023");

  /** Every runtime identifier this library knows, in declaration order. */
  public static get all(): Runtime[] {
    return [...Runtime.known.values()];
  }

  /**
   * The runtime for an AWS identifier such as "python3.12".
   * @throws LayerValidationError naming `field` when the identifier is unknown.
   */
  public static of(name: string | Runtime, field = "compatibleRuntimes"): Runtime {
    if (name instanceof Runtime) return name;
    const found = typeof name === "string" ? Runtime.known.get(name) : undefined;
    if (!found)
      throw errors.unknownRuntime(field, name, [...Runtime.known.keys()], typeof name === "string" ? closestRuntime(name) : undefined);
    return found;
  }

  /**
   * A runtime this library does not list yet (AWS adds runtimes faster than libraries ship).
   * @param os the OS its AWS page names; without it the runtime's glibc is unknown and native
   *   binaries are not compared with it
   */
  public static custom(name: string, family: RuntimeFamily, os?: LambdaOs): Runtime {
    return Runtime.known.get(name) ?? new Runtime(name, family, os ? { os, glibc: LAMBDA_OS_GLIBC[os] } : {});
  }

  private static register(name: string): Runtime {
    const entry = RUNTIME_CATALOGUE.find((e) => e.name === name);
    if (!entry) throw new Error(`runtime ${name} is missing from RUNTIME_CATALOGUE`);
    const runtime = new Runtime(name, entry.family as RuntimeFamily, entry);
    Runtime.known.set(name, runtime);
    return runtime;
  }

  /** From this day (YYYY-MM-DD, UTC) AWS no longer patches the runtime; undefined: none announced. */
  public readonly deprecationDate?: string;
  /** From this day Lambda refuses to create functions on the runtime. */
  public readonly blockCreateDate?: string;
  /** From this day Lambda refuses to update functions on the runtime. */
  public readonly blockUpdateDate?: string;
  /**
   * The first hashicorp/aws release whose plan-time validation accepts this identifier (for example
   * "6.21.0"); synth refuses a stack whose provider constraint admits an older one. Undefined for a
   * `Runtime.custom` runtime: not checked.
   */
  public readonly awsProviderVersion?: string;
  /** The OS it runs on: "amazonlinux2" or "amazonlinux2023"; undefined for a custom runtime declared without one. */
  public readonly os?: LambdaOs;
  /**
   * The glibc of its OS, such as "2.26": a native binary needing a newer GLIBC_x.y symbol version
   * fails to load on it. Undefined for a custom runtime declared without an OS.
   */
  public readonly glibc?: string;

  private constructor(
    /** The AWS identifier, for example "python3.12". */
    public readonly name: string,
    public readonly family: RuntimeFamily,
    entry: Partial<Pick<RuntimeCatalogueEntry, "deprecation" | "blockCreate" | "blockUpdate" | "awsProvider" | "os" | "glibc">>,
  ) {
    this.deprecationDate = entry.deprecation;
    this.blockCreateDate = entry.blockCreate;
    this.blockUpdateDate = entry.blockUpdate;
    this.awsProviderVersion = entry.awsProvider;
    this.os = entry.os;
    this.glibc = entry.glibc;
  }

  /** AWS no longer applies security patches on `today` (YYYY-MM-DD, UTC; default: now). */
  public deprecated(today = todayUtc()): boolean {
    return this.deprecationDate !== undefined && today >= this.deprecationDate;
  }

  /** Where the runtime stands on `today`: what AWS still lets a function do with it. */
  public lifecycle(today = todayUtc()): RuntimeLifecycle {
    if (this.blockUpdateDate !== undefined && today >= this.blockUpdateDate) return "update-blocked";
    if (this.blockCreateDate !== undefined && today >= this.blockCreateDate) return "create-blocked";
    if (this.deprecated(today)) return "deprecated";
    return "supported";
  }

  /** The newest runtime of the same family that is not deprecated on `today`: what a fix recommends. */
  public successor(today = todayUtc()): Runtime | undefined {
    return Runtime.all.filter((r) => r.family === this.family && !r.deprecated(today)).sort(newestFirst)[0];
  }

  /** "3.12" for python3.12, "20" for nodejs20.x, "3.4" for ruby3.4; undefined where not meaningful. */
  public get version(): string | undefined {
    const m = /^(?:python|ruby)(\d+\.\d+)$/.exec(this.name) ?? /^nodejs(\d+)\.x$/.exec(this.name);
    return m?.[1];
  }

  public sameAs(other: Runtime): boolean {
    return this.name === other.name;
  }

  public toString(): string {
    return this.name;
  }
}

/** Where a runtime stands in AWS's deprecation schedule on a given day. */
export type RuntimeLifecycle = "supported" | "deprecated" | "create-blocked" | "update-blocked";

/** Today's date in UTC as YYYY-MM-DD, the form AWS's schedule uses. @group Internals */
export function todayUtc(): string {
  return new Date().toISOString().slice(0, 10);
}

/**
 * Later deprecation first; among runtimes AWS retires the same day (java25, java21 and the
 * java*.al2023 builds), the catalogue's order, which is newest first. Names do not sort by age:
 * "java8.al2023" > "java25".
 */
function newestFirst(a: Runtime, b: Runtime): number {
  const byDate = (b.deprecationDate ?? "9999").localeCompare(a.deprecationDate ?? "9999");
  return byDate !== 0 ? byDate : catalogueIndex(a) - catalogueIndex(b);
}

function catalogueIndex(r: Runtime): number {
  const i = RUNTIME_CATALOGUE.findIndex((e) => e.name === r.name);
  return i === -1 ? RUNTIME_CATALOGUE.length : i;
}

/**
 * The synth warning for a runtime AWS has deprecated (undefined while it is supported).
 * @param use "layer" or "function": what declares the runtime
 * @group Internals
 */
export function runtimeDeprecationWarning(runtime: Runtime, use: "layer" | "function", today = todayUtc()): string | undefined {
  const state = runtime.lifecycle(today);
  if (state === "supported") return undefined;
  const next = runtime.successor(today);
  const move = next ? `; move to ${next.name}` : "";
  const blocks =
    state === "update-blocked"
      ? `Lambda has refused to create functions on it since ${runtime.blockCreateDate} and to update them since ${runtime.blockUpdateDate}`
      : state === "create-blocked"
        ? `Lambda has refused to create functions on it since ${runtime.blockCreateDate} and refuses updates from ${runtime.blockUpdateDate ?? "a date not yet announced"}`
        : `Lambda refuses new functions on it from ${runtime.blockCreateDate ?? "a date not yet announced"} and updates from ${runtime.blockUpdateDate ?? "a date not yet announced"}`;
  return `${use === "layer" ? "compatibleRuntimes lists" : "runtime is"} ${runtime.name}, deprecated by AWS since ${runtime.deprecationDate}: ${blocks}${move}`;
}

/** The synth warnings for a layer's declared runtimes that AWS has deprecated. @group Internals */
export function layerRuntimeWarnings(runtimes: readonly Runtime[], today = todayUtc()): string[] {
  return runtimes.flatMap((r) => runtimeDeprecationWarning(r, "layer", today) ?? []);
}

/** The closest known identifier to a mistyped one, for "did you mean" (the same rule as option names). @group Internals */
export function closestRuntime(name: string): string | undefined {
  return closestName(
    name,
    Runtime.all.map((r) => r.name),
  );
}

/** A Lambda instruction set architecture. */
export class Architecture {
  public static readonly X86_64 = new Architecture("x86_64", "x64", "x86_64");
  public static readonly ARM_64 = new Architecture("arm64", "arm64", "aarch64");

  public static get all(): Architecture[] {
    return [Architecture.X86_64, Architecture.ARM_64];
  }

  /** @throws LayerValidationError naming `field` when the name is neither "x86_64" nor "arm64". */
  public static of(name: string | Architecture, field = "compatibleArchitectures"): Architecture {
    if (name instanceof Architecture) return name;
    const found = Architecture.all.find((a) => a.name === name);
    if (!found) throw errors.unknownArchitecture(field, name);
    return found;
  }

  private constructor(
    /** The AWS identifier. */
    public readonly name: string,
    /** The name npm uses for `--cpu`. */
    public readonly npmCpu: string,
    /** The machine name in manylinux wheel tags and ELF headers. */
    public readonly linuxMachine: string,
  ) {}

  public sameAs(other: Architecture): boolean {
    return this.name === other.name;
  }

  public toString(): string {
    return this.name;
  }
}

/** Turns user input (strings or instances) into a validated, duplicate-free runtime list. @group Internals */
export function parseRuntimes(input: ReadonlyArray<string | Runtime> | undefined, field = "compatibleRuntimes"): Runtime[] {
  if (typeof input === "string" || input instanceof Runtime) throw errors.runtimesNotAList(field, input);
  if (!Array.isArray(input) || input.length === 0) throw errors.noRuntimes(input);
  const runtimes = input.map((r) => Runtime.of(r, field));
  const names = runtimes.map((r) => r.name);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) throw errors.duplicate(field, names, dup);
  if (runtimes.length > 15) throw errors.tooManyRuntimes(names);
  return runtimes;
}

/** Turns user input into a validated architecture list; undefined stays undefined (AWS: any). @group Internals */
export function parseArchitectures(
  input: ReadonlyArray<string | Architecture> | undefined,
  field = "compatibleArchitectures",
): Architecture[] | undefined {
  if (input === undefined) return undefined;
  if (!Array.isArray(input) || input.length === 0) throw errors.unknownArchitecture(field, input);
  const archs = input.map((a) => Architecture.of(a, field));
  const names = archs.map((a) => a.name);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) throw errors.duplicate(field, names, dup);
  return archs;
}
