// Text reports of the operations, one section per region and a summary with failed regions and
// API request counts.
import { CallCounts, formatCalls, OperationResult, RegionOutcome, totalCalls } from "./aws";
import type { UnscannedAccount } from "./consumers";
import type { RegionGrants } from "./grants";
import { PolicyStatement, principalLabel } from "./policy";
import type { PruneDecision, RegionPrune } from "./prune";
import type { RegionRevoke } from "./revoke";
import type { RegionVersions } from "./versions";

export function formatVersions(result: OperationResult<RegionVersions>): string {
  return sections(result, (data) =>
    data.versions.length === 0
      ? ["  no versions"]
      : data.versions
          .flatMap((v) => [
            `  v${v.version}  ${v.createdDate ?? "-"}  ${v.codeSha256 ?? "-"}  ${v.codeSize === undefined ? "-" : bytes(v.codeSize)}  ` +
              `${v.compatibleRuntimes.join(",") || "-"}  ${v.compatibleArchitectures.join(",") || "-"}`,
            `      grants: ${grantsLine(v.grants)}`,
            `      used by: ${v.usedBy.join(", ") || "none"}`,
          ])
          .concat(accountLines(data.scannedAccounts, data.unscannedAccounts, "its functions are missing above")),
  );
}

/** One line on the consumer accounts read and not read; none when no consumer account was asked for. */
function accountLines(scanned: readonly string[], unscanned: readonly UnscannedAccount[], consequence: string): string[] {
  if (scanned.length === 0 && unscanned.length === 0) return [];
  return [
    `  consumer accounts scanned: ${scanned.join(", ") || "none"}`,
    ...unscanned.map((u) => `  consumer account ${u.account} NOT scanned (${consequence}): ${u.error}`),
  ];
}

export function formatPrune(result: OperationResult<RegionPrune>, notes: readonly string[] = []): string {
  const text = sections(result, (data) => {
    if (data.decisions.length === 0) return ["  no versions"];
    const lines = data.decisions.map((d) => `  v${d.version}  ${pruneLine(d, data)}`);
    lines.push(...accountLines(data.scannedAccounts, data.unscannedAccounts, "versions granted to it are kept"));
    const n = data.decisions.filter((d) => d.delete).length;
    lines.push(
      data.dryRun ? `  ${n} to delete (dry run: add --yes to delete)` : `  ${data.deleted.length} deleted, ${data.failed.length} failed`,
    );
    return lines;
  });
  if (notes.length === 0) return text;
  // Notes go under the title, before the regions: what the decisions above could not take into account.
  const [title, ...rest] = text.split("\n");
  return [title, ...notes, ...rest].join("\n");
}

function pruneLine(d: PruneDecision, data: RegionPrune): string {
  const sharedWith = d.grantees ? `shared with ${d.grantees.map(principalLabel).join(", ")}` : "";
  switch (d.reason) {
    case "newest":
      return "keep: one of the newest";
    case "used":
      return `keep: used by ${d.usedBy!.join(", ")}`;
    case "pinned":
      return "keep: pinned by the deployment's outputs";
    case "unscanned":
      return `keep: ${sharedWith}; not scanned: ${d.unscannedAccounts!.map((a) => `account ${a}`).join(", ")}`;
    case "shared":
      return `keep: ${sharedWith} (--include-shared to delete)`;
    case "old": {
      const suffix = sharedWith ? ` (${sharedWith})` : "";
      if (data.dryRun) return `would delete${suffix}`;
      if (data.deleted.includes(d.version)) return `deleted${suffix}`;
      return `delete failed: ${data.failed.find((f) => f.version === d.version)?.error}`;
    }
  }
}

export function formatGrants(result: OperationResult<RegionGrants>): string {
  return sections(result, (data) => {
    if (data.versions.length === 0) return ["  no versions"];
    const lines = data.versions.map((v) => `  v${v.version}${v.public ? "  PUBLIC" : ""}  ${grantsLine(v.statements)}`);
    if (data.undeclared)
      lines.push(
        `  newest v${data.versions[0].version}: not declared by the app: ${data.undeclared.map(principalLabel).join(", ") || "none"}`,
      );
    if (data.missing)
      lines.push(
        `  newest v${data.versions[0].version}: declared but not granted: ${data.missing.map(principalLabel).join(", ") || "none"}`,
      );
    return lines;
  });
}

export function formatRevoke(result: OperationResult<RegionRevoke>): string {
  return sections(result, (data) => {
    const lines = data.versions.map((v) => {
      const sids = v.remove.map((s) => s.statementId).join(", ");
      if (v.remove.length === 0) return `  v${v.version}  nothing to revoke (${v.keep.length} other statements kept)`;
      const action = data.dryRun ? `would remove ${sids}` : `removed ${v.removed.join(", ") || "none"}`;
      const failed = v.failed.map((f) => `; failed ${f.statementId}: ${f.error}`).join("");
      const line = `  v${v.version}  ${action}${failed} (${v.keep.length} other statements kept)`;
      // AWS keeps a version working for functions that already have it; what fails is their next
      // CreateFunction/UpdateFunctionConfiguration naming it.
      if (v.usedBy.length === 0) return line;
      return `${line}\n      ${data.dryRun ? "revoking breaks" : "revoked: this breaks"} the next deploy of ${v.usedBy.join(", ")}`;
    });
    lines.push(...accountLines(data.scannedAccounts, data.unscannedAccounts, "who uses the versions there is unknown"));
    if (data.notFound.length > 0) lines.push(`  no such versions: ${data.notFound.map((v) => `v${v}`).join(", ")}`);
    if (data.versions.length === 0 && data.notFound.length === 0) lines.push("  no versions");
    if (data.dryRun && data.versions.some((v) => v.remove.length > 0)) lines.push("  dry run: add --yes to remove");
    return lines;
  });
}

function grantsLine(statements: readonly PolicyStatement[]): string {
  return statements.length === 0 ? "none (private)" : statements.map((s) => `${principalLabel(s.principal)} [${s.statementId}]`).join(", ");
}

function sections<T>(result: OperationResult<T>, body: (data: T) => string[]): string {
  const lines = [`${result.layerName} in ${result.regions.length} region${result.regions.length === 1 ? "" : "s"}`];
  for (const r of result.regions) {
    lines.push("", r.region);
    lines.push(...(r.ok ? body(r.data) : [`  failed: ${r.error}`]));
  }
  lines.push("", ...summary(result.regions, result.failedRegions, result.calls));
  return `${lines.join("\n")}\n`;
}

function summary<T>(regions: readonly RegionOutcome<T>[], failed: readonly string[], calls: CallCounts): string[] {
  return [
    `Summary: ${regions.length - failed.length} of ${regions.length} regions done` +
      (failed.length > 0 ? `; failed: ${failed.join(", ")}` : ""),
    ...regions.map((r) => `  API calls in ${r.region}: ${formatCalls(r.calls)}`),
    `  API calls in all: ${totalCalls(calls)}`,
  ];
}

function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}
