// The Lambda runtime catalogue as AWS publishes it: one row per runtime identifier with its
// deprecation, block-function-create and block-function-update dates, and the first release of the
// Terraform AWS provider (hashicorp/aws) whose plan-time validation accepts the identifier. This table
// is the only place to edit when AWS adds a runtime or moves a date; Runtime (runtime.ts) is built
// from it.
//
// Dates: AWS Lambda Developer Guide, "Lambda runtimes" and the per-language pages it links, whose
// tables carry all three dates (lambda-nodejs, lambda-python, lambda-ruby, lambda-java, lambda-csharp,
// lambda-golang / runtimes-provided):
//   https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html
//   https://docs.aws.amazon.com/lambda/latest/dg/lambda-nodejs.html (nodejs24.x, 22.x, 20.x)
//   https://docs.aws.amazon.com/lambda/latest/dg/lambda-python.html (python3.14 to 3.10)
//   https://docs.aws.amazon.com/lambda/latest/dg/lambda-ruby.html (ruby4.0 to 3.2)
//   https://docs.aws.amazon.com/lambda/latest/dg/lambda-java.html (java25, 21, 17, 11, 8.al2)
//   https://docs.aws.amazon.com/lambda/latest/dg/lambda-csharp.html (dotnet10, dotnet8)
//   https://docs.aws.amazon.com/lambda/latest/dg/lambda-golang.html (provided.al2023, provided.al2)
// Checked: 2026-12-02. Dates are UTC calendar days (YYYY-MM-DD); undefined: the pages checked list none.
//
// awsProvider: the provider validates `runtime` and `compatible_runtimes` against the runtime enum of
// the AWS SDK for Go v2 it was built with, so an identifier newer than the provider fails `terraform
// plan`. The version is the release the provider's CHANGELOG names ("Add support for `x` `runtime`
// value", https://github.com/hashicorp/terraform-provider-aws/blob/main/CHANGELOG.md) or a maintainer
// names in the issue that asked for it; where neither was found, the oldest release the sources show
// accepting it (an upper bound of the first: the fix it suggests always works). The row comments say
// which. 5.100.0 accepting every row up to 5.100.0 and rejecting the later ones is tested against the
// real provider (__tests__/runtime-catalogue.test.ts).
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
  /** The first hashicorp/aws release whose plan-time validation accepts the identifier (see above). */
  readonly awsProvider: string;
  /** The OS the runtime runs on ("Operating system" on AWS's runtime pages). */
  readonly os: LambdaOs;
  /** The OS's glibc version, such as "2.26": binaries needing a newer GLIBC_x.y fail at load. */
  readonly glibc: string;
}

/** The day the table below was last compared with AWS's pages. */
export const RUNTIME_CATALOGUE_CHECKED = "2026-12-02";
/** Where the dates come from. */
export const RUNTIME_CATALOGUE_SOURCE = "https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html";

/**
 * Newest first within each family: the first entry of a family not yet deprecated is the successor
 * named in fixes. One line per row (prettier leaves it so), so that rows read, diff and merge as rows.
 */
// prettier-ignore
export const RUNTIME_CATALOGUE: readonly RuntimeCatalogueEntry[] = [
  { name: "nodejs24.x", family: "nodejs", deprecation: "2028-04-30", blockCreate: "2028-06-01", blockUpdate: "2028-07-01", awsProvider: "6.21.0", os: "amazonlinux2023", glibc: "2.34" }, // provider: CHANGELOG 6.21.0 (#45024)
  { name: "nodejs22.x", family: "nodejs", deprecation: "2027-04-30", blockCreate: "2027-06-01", blockUpdate: "2027-07-01", awsProvider: "5.80.0", os: "amazonlinux2023", glibc: "2.34" }, // provider: upper bound; 5.75.1 rejects it (#40107), AWS launched it 2024-11-22, 5.80.0 is of 2024-12-04
  { name: "nodejs20.x", family: "nodejs", deprecation: "2026-04-30", blockCreate: "2026-08-31", blockUpdate: "2026-09-30", awsProvider: "5.26.0", os: "amazonlinux2023", glibc: "2.34" }, // provider: CHANGELOG 5.26.0 (#34401)
  // Listed under "Deprecated runtimes" since 2025-09-01; block dates as AWS announced them for that date.
  { name: "nodejs18.x", family: "nodejs", deprecation: "2025-09-01", blockCreate: "2025-10-01", blockUpdate: "2025-11-11", awsProvider: "4.41.0", os: "amazonlinux2", glibc: "2.26" }, // provider: CHANGELOG 4.41.0 (#27923)
  { name: "python3.14", family: "python", deprecation: "2029-06-30", blockCreate: "2029-07-31", blockUpdate: "2029-08-31", awsProvider: "6.21.0", os: "amazonlinux2023", glibc: "2.34" }, // provider: CHANGELOG 6.21.0 (#45024)
  { name: "python3.13", family: "python", deprecation: "2029-06-30", blockCreate: "2029-07-31", blockUpdate: "2029-08-31", awsProvider: "5.80.0", os: "amazonlinux2023", glibc: "2.34" }, // provider: upper bound; 5.75.1 rejects it (#40107), AWS launched it 2024-11-13, 5.80.0 is of 2024-12-04
  { name: "python3.12", family: "python", deprecation: "2028-10-31", blockCreate: "2028-11-30", blockUpdate: "2029-01-10", awsProvider: "5.27.0", os: "amazonlinux2023", glibc: "2.34" }, // provider: CHANGELOG 5.27.0 (#34533)
  { name: "python3.11", family: "python", deprecation: "2027-06-30", blockCreate: "2027-07-31", blockUpdate: "2027-08-31", awsProvider: "5.11.0", os: "amazonlinux2", glibc: "2.26" }, // provider: CHANGELOG 5.11.0 (#32729)
  { name: "python3.10", family: "python", deprecation: "2026-10-31", blockCreate: "2026-11-30", blockUpdate: "2027-01-15", awsProvider: "4.67.0", os: "amazonlinux2", glibc: "2.26" }, // provider: upper bound; a 4.66/4.67 error list shows it (#31332)
  { name: "python3.9", family: "python", deprecation: "2025-12-15", blockCreate: "2026-02-03", blockUpdate: "2026-03-09", awsProvider: "4.67.0", os: "amazonlinux2", glibc: "2.26" }, // provider: upper bound; a 4.66/4.67 error list shows it (#31332)
  { name: "ruby4.0", family: "ruby", deprecation: "2029-03-31", blockCreate: "2029-04-30", blockUpdate: "2029-05-31", awsProvider: "6.66.0", os: "amazonlinux2023", glibc: "2.34" }, // provider: upper bound; the SDK added it 2026-04-22 (lambda v1.90.0, #47841); 6.66.0 is the newest release seen
  { name: "ruby3.4", family: "ruby", deprecation: "2028-03-31", blockCreate: "2028-04-30", blockUpdate: "2028-05-31", awsProvider: "5.100.0", os: "amazonlinux2023", glibc: "2.34" }, // provider: upper bound, tested here; the SDK added it 2025-03-19 (#42051)
  { name: "ruby3.3", family: "ruby", deprecation: "2027-03-31", blockCreate: "2027-04-30", blockUpdate: "2027-05-31", awsProvider: "5.44.0", os: "amazonlinux2023", glibc: "2.34" }, // provider: 5.44.0 per the maintainer (#36750)
  { name: "ruby3.2", family: "ruby", deprecation: "2026-03-31", blockCreate: "2026-08-31", blockUpdate: "2026-09-30", awsProvider: "5.2.0", os: "amazonlinux2", glibc: "2.26" }, // provider: CHANGELOG 5.2.0 (#31842)
  { name: "java25", family: "java", deprecation: "2029-06-30", blockCreate: "2029-07-31", blockUpdate: "2029-08-31", awsProvider: "6.21.0", os: "amazonlinux2023", glibc: "2.34" }, // provider: CHANGELOG 6.21.0 (#45024)
  { name: "java21", family: "java", deprecation: "2029-06-30", blockCreate: "2029-07-31", blockUpdate: "2029-08-31", awsProvider: "5.27.0", os: "amazonlinux2023", glibc: "2.34" }, // provider: CHANGELOG 5.27.0 (#34476)
  // Amazon Linux 2023 builds of Java 17, 11 and 8 (launched in July 2026), listed with java25 and java21 on
  // the runtimes page; their block dates were not on a page checked.
  { name: "java17.al2023", family: "java", deprecation: "2029-06-30", awsProvider: "6.66.0", os: "amazonlinux2023", glibc: "2.34" }, // provider: upper bound; the SDK added it in 2026-07; 6.66.0 is the newest release seen
  { name: "java11.al2023", family: "java", deprecation: "2029-06-30", awsProvider: "6.66.0", os: "amazonlinux2023", glibc: "2.34" }, // provider: as java17.al2023
  { name: "java8.al2023", family: "java", deprecation: "2029-06-30", awsProvider: "6.66.0", os: "amazonlinux2023", glibc: "2.34" }, // provider: as java17.al2023
  { name: "java17", family: "java", deprecation: "2027-06-30", blockCreate: "2027-07-31", blockUpdate: "2027-08-31", awsProvider: "4.66.0", os: "amazonlinux2", glibc: "2.26" }, // provider: CHANGELOG 4.66.0 (#31032)
  { name: "java11", family: "java", deprecation: "2027-06-30", blockCreate: "2027-07-31", blockUpdate: "2027-08-31", awsProvider: "2.39.0", os: "amazonlinux2", glibc: "2.26" }, // provider: 2.39.0 per the maintainer (#11067)
  { name: "java8.al2", family: "java", deprecation: "2027-06-30", blockCreate: "2027-07-31", blockUpdate: "2027-08-31", awsProvider: "4.67.0", os: "amazonlinux2", glibc: "2.26" }, // provider: upper bound; a 4.66/4.67 error list shows it (#31332)
  { name: "dotnet10", family: "dotnet", deprecation: "2028-11-14", blockCreate: "2028-12-14", blockUpdate: "2029-01-15", awsProvider: "6.27.0", os: "amazonlinux2023", glibc: "2.34" }, // provider: 6.27.0 (#45864: SDK release 2025-12-11)
  { name: "dotnet8", family: "dotnet", deprecation: "2026-11-10", blockCreate: "2026-12-10", blockUpdate: "2027-01-11", awsProvider: "5.75.1", os: "amazonlinux2023", glibc: "2.34" }, // provider: upper bound; 5.75.1 accepts it (its error list in #40107). Dates: the commercial lambda-csharp page; its docs.amazonaws.cn copy gives block dates 2027-02-01 and 2027-03-03
  { name: "provided.al2023", family: "provided", deprecation: "2029-06-30", blockCreate: "2029-07-31", blockUpdate: "2029-08-31", awsProvider: "5.26.0", os: "amazonlinux2023", glibc: "2.34" }, // provider: CHANGELOG 5.26.0 (#34401)
  { name: "provided.al2", family: "provided", deprecation: "2026-07-31", blockCreate: "2026-08-31", blockUpdate: "2026-09-30", awsProvider: "4.67.0", os: "amazonlinux2", glibc: "2.26" }, // provider: upper bound; a 4.66/4.67 error list shows it (#31332)
];
