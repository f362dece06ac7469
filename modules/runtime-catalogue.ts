// The Lambda runtime catalogue as AWS publishes it: one row per runtime identifier with its
// deprecation, block-function-create and block-function-update dates. This table is the only place
// to edit when AWS adds a runtime or moves a date; Runtime (runtime.ts) is built from it.
//
// Source: AWS Lambda Developer Guide, "Lambda runtimes" and the per-language pages it links
// (lambda-python, lambda-nodejs, lambda-java, lambda-ruby, lambda-csharp, runtimes-provided):
//   https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html
// Checked: 2026-11-29. Dates are UTC calendar days (YYYY-MM-DD); undefined: AWS lists none.
//
// OS: the "Operating system" column of the same pages (for example lambda-ruby lists ruby3.2 on
// Amazon Linux 2 and ruby3.3 on Amazon Linux 2023; runtimes-provided lists provided.al2 and
// provided.al2023). glibc: the version each OS ships and keeps for its life, from Amazon Linux's
// own guide, "Improved toolchain: gcc, binutils, and glibc" (AL2 2.26, AL2023 2.34):
//   https://docs.aws.amazon.com/linux/al2023/ug/glibc-gcc-and-binutils.html
//   https://docs.aws.amazon.com/linux/al2023/ug/core-glibc.html
// A binary needing a newer GLIBC_x.y symbol version fails at load ("version `GLIBC_2.28' not found").

/** The operating systems Lambda's managed runtimes run on. */
export type LambdaOs = "amazonlinux2" | "amazonlinux2023";

/** The glibc each OS ships (see the sources above): the newest GLIBC_x.y symbol version its binaries may need. */
export const LAMBDA_OS_GLIBC: Readonly<Record<LambdaOs, string>> = { amazonlinux2: "2.26", amazonlinux2023: "2.34" };

/** The dates and the OS AWS publishes for one runtime. */
export interface RuntimeCatalogueEntry {
  /** The AWS identifier, for example "python3.12". */
  readonly name: string;
  /** The language family (see RuntimeFamily). */
  readonly family: "python" | "nodejs" | "ruby" | "java" | "dotnet" | "provided";
  /** From this day AWS no longer patches the runtime. */
  readonly deprecation?: string;
  /** From this day Lambda refuses to create functions on the runtime. */
  readonly blockCreate?: string;
  /** From this day Lambda refuses to update functions on the runtime. */
  readonly blockUpdate?: string;
  /** The OS the runtime runs on ("Operating system" on AWS's runtime pages). */
  readonly os: LambdaOs;
  /** The OS's glibc version, such as "2.26": binaries needing a newer GLIBC_x.y fail at load. */
  readonly glibc: string;
}

/** The day the table below was last compared with AWS's pages. */
export const RUNTIME_CATALOGUE_CHECKED = "2026-11-29";
/** Where the dates come from. */
export const RUNTIME_CATALOGUE_SOURCE = "https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html";

/** Newest first within each family: the first entry of a family not yet deprecated is the successor named in fixes. */
// One runtime per line, so a row reads (and merges) as one change:
// prettier-ignore
export const RUNTIME_CATALOGUE: readonly RuntimeCatalogueEntry[] = [
  { name: "nodejs24.x", family: "nodejs", deprecation: "2028-04-30", blockCreate: "2028-06-01", blockUpdate: "2028-07-01", os: "amazonlinux2023", glibc: "2.34" },
  { name: "nodejs22.x", family: "nodejs", deprecation: "2027-04-30", blockCreate: "2027-06-01", blockUpdate: "2027-07-01", os: "amazonlinux2023", glibc: "2.34" },
  { name: "nodejs20.x", family: "nodejs", deprecation: "2026-04-30", blockCreate: "2026-08-31", blockUpdate: "2026-09-30", os: "amazonlinux2023", glibc: "2.34" },
  // Listed under "Deprecated runtimes" since 2025-09-01; block dates as AWS announced them for that date.
  { name: "nodejs18.x", family: "nodejs", deprecation: "2025-09-01", blockCreate: "2025-10-01", blockUpdate: "2025-11-11", os: "amazonlinux2", glibc: "2.26" },
  { name: "python3.14", family: "python", deprecation: "2029-06-30", blockCreate: "2029-07-31", blockUpdate: "2029-08-31", os: "amazonlinux2023", glibc: "2.34" },
  { name: "python3.13", family: "python", deprecation: "2029-06-30", blockCreate: "2029-07-31", blockUpdate: "2029-08-31", os: "amazonlinux2023", glibc: "2.34" },
  { name: "python3.12", family: "python", deprecation: "2028-10-31", blockCreate: "2028-11-30", blockUpdate: "2029-01-10", os: "amazonlinux2023", glibc: "2.34" },
  { name: "python3.11", family: "python", deprecation: "2027-06-30", blockCreate: "2027-07-31", blockUpdate: "2027-08-31", os: "amazonlinux2", glibc: "2.26" },
  { name: "python3.10", family: "python", deprecation: "2026-10-31", blockCreate: "2026-11-30", blockUpdate: "2027-01-15", os: "amazonlinux2", glibc: "2.26" },
  { name: "python3.9", family: "python", deprecation: "2025-12-15", blockCreate: "2026-02-03", blockUpdate: "2026-03-09", os: "amazonlinux2", glibc: "2.26" },
  { name: "ruby4.0", family: "ruby", deprecation: "2029-03-31", blockCreate: "2029-04-30", blockUpdate: "2029-05-31", os: "amazonlinux2023", glibc: "2.34" },
  { name: "ruby3.4", family: "ruby", deprecation: "2028-03-31", blockCreate: "2028-04-30", blockUpdate: "2028-05-31", os: "amazonlinux2023", glibc: "2.34" },
  { name: "ruby3.3", family: "ruby", deprecation: "2027-03-31", blockCreate: "2027-04-30", blockUpdate: "2027-05-31", os: "amazonlinux2023", glibc: "2.34" },
  { name: "ruby3.2", family: "ruby", deprecation: "2026-03-31", blockCreate: "2026-08-31", blockUpdate: "2026-09-30", os: "amazonlinux2", glibc: "2.26" },
  { name: "java25", family: "java", deprecation: "2029-06-30", blockCreate: "2029-07-31", blockUpdate: "2029-08-31", os: "amazonlinux2023", glibc: "2.34" },
  { name: "java21", family: "java", deprecation: "2029-06-30", blockCreate: "2029-07-31", blockUpdate: "2029-08-31", os: "amazonlinux2023", glibc: "2.34" },
  { name: "java17", family: "java", deprecation: "2027-06-30", blockCreate: "2027-07-31", blockUpdate: "2027-08-31", os: "amazonlinux2", glibc: "2.26" },
  { name: "java11", family: "java", deprecation: "2027-06-30", blockCreate: "2027-07-31", blockUpdate: "2027-08-31", os: "amazonlinux2", glibc: "2.26" },
  { name: "java8.al2", family: "java", deprecation: "2027-06-30", blockCreate: "2027-07-31", blockUpdate: "2027-08-31", os: "amazonlinux2", glibc: "2.26" },
  { name: "dotnet10", family: "dotnet", deprecation: "2028-11-14", blockCreate: "2028-12-14", blockUpdate: "2029-01-15", os: "amazonlinux2023", glibc: "2.34" },
  { name: "dotnet8", family: "dotnet", deprecation: "2026-11-10", blockCreate: "2026-12-10", blockUpdate: "2027-01-11", os: "amazonlinux2023", glibc: "2.34" },
  // The OS-only runtimes: no dates were listed on the pages checked.
  { name: "provided.al2023", family: "provided", os: "amazonlinux2023", glibc: "2.34" },
  { name: "provided.al2", family: "provided", os: "amazonlinux2", glibc: "2.26" },
];
