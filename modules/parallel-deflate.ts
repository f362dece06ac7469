// Compresses many entries on worker threads while the caller stays synchronous (constructs are
// built synchronously): the main thread hands out work, then sleeps on an Atomics counter and
// drains results with receiveMessageOnPort. Each entry is compressed exactly as compressEntry
// does, so the bytes do not depend on how many threads ran.
import * as os from "os";
import { MessageChannel, MessagePort, receiveMessageOnPort, Worker } from "worker_threads";
import { CompressedEntry, compressEntry, DEFLATE_LEVEL } from "./zip-writer";

/** Below this many bytes in total, starting threads costs more than it saves. */
const PARALLEL_THRESHOLD_BYTES = 4 * 1024 * 1024;

// Plain JavaScript evaluated in the worker: no loader or transpiler needed, whatever runs the caller.
const WORKER_SOURCE = `
const { workerData } = require("worker_threads");
const zlib = require("zlib");
const { port, signal, level } = workerData;
const done = new Int32Array(signal);
port.on("message", ({ shared, jobs }) => {
  let batch = [];
  let batchBytes = 0;
  const flush = () => {
    port.postMessage(batch);
    batch = [];
    batchBytes = 0;
    Atomics.add(done, 0, 1);
    Atomics.notify(done, 0);
  };
  for (const job of jobs) {
    const data = Buffer.from(shared, job.offset, job.length);
    const crc32 = zlib.crc32(data) >>> 0;
    const deflated = zlib.deflateRawSync(data, { level });
    const stored = deflated.length >= data.length;
    batch.push({ index: job.index, crc32, method: stored ? 0 : 8, size: data.length, compressed: stored ? null : deflated });
    batchBytes += deflated.length;
    if (batch.length >= 256 || batchBytes >= 1 << 20) flush();
  }
  if (batch.length > 0) flush();
});
`;

/** How many threads compress: one per core, at most 8. */
export function defaultThreads(): number {
  return Math.max(1, Math.min(8, typeof os.availableParallelism === "function" ? os.availableParallelism() : os.cpus().length));
}

/**
 * Compresses every buffer (undefined: a directory) and returns the results in input order.
 * @param threads worker threads to use; 1 compresses on the calling thread
 */
export function compressAll(contents: ReadonlyArray<Buffer | undefined>, threads = defaultThreads(), level = DEFLATE_LEVEL): CompressedEntry[] {
  const total = contents.reduce((sum, c) => sum + (c?.length ?? 0), 0);
  if (threads <= 1 || total < PARALLEL_THRESHOLD_BYTES) return contents.map((c) => compressEntry(c, level));

  const results: CompressedEntry[] = new Array(contents.length);
  const jobs: Array<Array<{ index: number; offset: number; length: number }>> = Array.from({ length: threads }, () => []);
  // One shared copy of the input: the threads read it in place instead of each receiving a clone.
  const shared = new SharedArrayBuffer(total);
  const sharedView = Buffer.from(shared);
  const load = new Array(threads).fill(0);
  // Largest first onto the least loaded thread: the threads finish together.
  const order = contents.map((_, i) => i).sort((a, b) => (contents[b]?.length ?? 0) - (contents[a]?.length ?? 0));
  let pending = 0;
  let offset = 0;
  for (const index of order) {
    const data = contents[index];
    if (!data || data.length === 0) {
      results[index] = compressEntry(data, level);
      continue;
    }
    const t = load.indexOf(Math.min(...load));
    data.copy(sharedView, offset);
    jobs[t].push({ index, offset, length: data.length });
    offset += data.length;
    load[t] += data.length;
    pending++;
  }

  const signal = new SharedArrayBuffer(4);
  const done = new Int32Array(signal);
  const ports: MessagePort[] = [];
  const workers: Worker[] = [];
  try {
    for (const batch of jobs.filter((b) => b.length > 0)) {
      const { port1, port2 } = new MessageChannel();
      const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { port: port2, signal, level }, transferList: [port2] });
      worker.unref();
      workers.push(worker);
      ports.push(port1);
      port1.postMessage({ shared, jobs: batch });
    }
    while (pending > 0) {
      // Read the counter before draining: a result posted after this read also bumps the
      // counter, so the wait below returns at once instead of missing it.
      const seen = Atomics.load(done, 0);
      let drained = false;
      for (const port of ports) {
        for (let m = receiveMessageOnPort(port); m; m = receiveMessageOnPort(port)) {
          for (const r of m.message as Array<{ index: number; crc32: number; method: 0 | 8; size: number; compressed: Uint8Array | null }>) {
            results[r.index] = {
              crc32: r.crc32, method: r.method, size: r.size,
              compressed: r.compressed ? Buffer.from(r.compressed.buffer, r.compressed.byteOffset, r.compressed.byteLength) : contents[r.index]!,
            };
            pending--;
          }
          drained = true;
        }
      }
      if (!drained && pending > 0) Atomics.wait(done, 0, seen, 1000);
    }
  } finally {
    for (const port of ports) port.close();
    for (const worker of workers) void worker.terminate();
  }
  return results;
}
