// Lambda runtimes and architectures as values with behaviour (family, version, where a layer
// must put its content), instead of bare strings scattered through the code.
import { errors } from "./errors";

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

  public static readonly NODEJS_18_X = Runtime.register("nodejs18.x", RuntimeFamily.NODEJS, { deprecated: true });
  public static readonly NODEJS_20_X = Runtime.register("nodejs20.x", RuntimeFamily.NODEJS);
  public static readonly NODEJS_22_X = Runtime.register("nodejs22.x", RuntimeFamily.NODEJS);
  public static readonly NODEJS_24_X = Runtime.register("nodejs24.x", RuntimeFamily.NODEJS);
  public static readonly PYTHON_3_9 = Runtime.register("python3.9", RuntimeFamily.PYTHON, { deprecated: true });
  public static readonly PYTHON_3_10 = Runtime.register("python3.10", RuntimeFamily.PYTHON);
  public static readonly PYTHON_3_11 = Runtime.register("python3.11", RuntimeFamily.PYTHON);
  public static readonly PYTHON_3_12 = Runtime.register("python3.12", RuntimeFamily.PYTHON);
  public static readonly PYTHON_3_13 = Runtime.register("python3.13", RuntimeFamily.PYTHON);
  public static readonly PYTHON_3_14 = Runtime.register("python3.14", RuntimeFamily.PYTHON);
  public static readonly RUBY_3_2 = Runtime.register("ruby3.2", RuntimeFamily.RUBY);
  public static readonly RUBY_3_3 = Runtime.register("ruby3.3", RuntimeFamily.RUBY);
  public static readonly RUBY_3_4 = Runtime.register("ruby3.4", RuntimeFamily.RUBY);
  public static readonly JAVA_8_AL2 = Runtime.register("java8.al2", RuntimeFamily.JAVA);
  public static readonly JAVA_11 = Runtime.register("java11", RuntimeFamily.JAVA);
  public static readonly JAVA_17 = Runtime.register("java17", RuntimeFamily.JAVA);
  public static readonly JAVA_21 = Runtime.register("java21", RuntimeFamily.JAVA);
  public static readonly JAVA_25 = Runtime.register("java25", RuntimeFamily.JAVA);
  public static readonly DOTNET_8 = Runtime.register("dotnet8", RuntimeFamily.DOTNET);
  public static readonly DOTNET_10 = Runtime.register("dotnet10", RuntimeFamily.DOTNET);
  public static readonly PROVIDED_AL2 = Runtime.register("provided.al2", RuntimeFamily.PROVIDED);
  public static readonly PROVIDED_AL2023 = Runtime.register("provided.al2023", RuntimeFamily.PROVIDED);

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
    if (!found) throw errors.unknownRuntime(field, name, [...Runtime.known.keys()]);
    return found;
  }

  /** A runtime this library does not list yet (AWS adds runtimes faster than libraries ship). */
  public static custom(name: string, family: RuntimeFamily): Runtime {
    return Runtime.known.get(name) ?? new Runtime(name, family, false);
  }

  private static register(name: string, family: RuntimeFamily, opts: { deprecated?: boolean } = {}): Runtime {
    const runtime = new Runtime(name, family, opts.deprecated ?? false);
    Runtime.known.set(name, runtime);
    return runtime;
  }

  private constructor(
    /** The AWS identifier, for example "python3.12". */
    public readonly name: string,
    public readonly family: RuntimeFamily,
    /** AWS no longer applies security patches; creating functions may be blocked. */
    public readonly deprecated: boolean,
  ) {}

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
