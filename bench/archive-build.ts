// One archive build in its own process, as a user's synth would run it.
// Usage: node dist/bench/archive-build.js <source> <cacheDir> [runtime]; prints the result as JSON.
import { buildLayerArchive } from "../modules/packaging/layer-archive";

const [source, cacheDir, runtime = "python3.12"] = process.argv.slice(2);
const started = process.hrtime.bigint();
const archive = buildLayerArchive({ source, compatibleRuntimes: [runtime], outDir: cacheDir, s3Upload: true });
const ms = Number(process.hrtime.bigint() - started) / 1e6;
process.stdout.write(
  `${JSON.stringify({ ms, sha256: archive.zipSha256, zippedBytes: archive.zippedBytes, unzippedBytes: archive.unzippedBytes, cache: archive.cache, maxRssMb: process.resourceUsage().maxRSS / 1024 })}\n`,
);
