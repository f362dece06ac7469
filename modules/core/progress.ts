// One line per long step (a layer built, a dependency set installed), with sizes and time, on
// stdout (the cdktf CLI shows an app's stderr as errors). Quiet under tests and when asked.
import { toolName } from "./framework";

const quiet = () => process.env.CDKTF_LAYERS_QUIET === "1" || process.env.JEST_WORKER_ID !== undefined;

export function progress(line: string): void {
  if (!quiet()) process.stdout.write(`[${toolName()}] ${line}\n`);
}

/** Sizes in binary units, as Lambda's limits are (250 MiB = 262,144,000 bytes): B, KiB, MiB. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

export function seconds(startedNs: bigint): string {
  return `${(Number(process.hrtime.bigint() - startedNs) / 1e9).toFixed(2)} s`;
}
