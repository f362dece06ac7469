// Compresses many entries on worker threads while the caller stays synchronous (constructs are
// built synchronously): the main thread hands out work, then sleeps on an Atomics counter and
// drains results with receiveMessageOnPort. Input and output live in SharedArrayBuffers, so no
// content is copied between threads; messages carry only offsets, sizes and checksums. Each entry
// is compressed exactly as compressEntry does, so the bytes do not depend on the thread count.
import * as os from "os";
import { MessageChannel, MessagePort, receiveMessageOnPort, Worker } from "worker_threads";
import { CompressedEntry, compressEntry, DEFLATE_LEVEL, SAMPLE_BYTES, SAMPLE_KEEP, SAMPLE_MIN_BYTES } from "./zip-writer";

/** Below this many bytes in total, starting threads costs more than it saves. */
const PARALLEL_THRESHOLD_BYTES = 4 * 1024 * 1024;

// Plain JavaScript evaluated in the worker: no loader or transpiler needed, whatever runs the caller.
// A deflated entry is only kept when smaller than its input, so it always fits in the input's slot
// of the output buffer.
const WORKER_SOURCE = `
const { workerData } = require("worker_threads");
const zlib = require("zlib");
const { port, signal, level, sampleMin, sampleBytes, sampleKeep } = workerData;
const done = new Int32Array(signal);
const tell = (message) => {
  port.postMessage(message);
  Atomics.add(done, 0, 1);
  Atomics.notify(done, 0);
};
// Whatever goes wrong here reaches the waiting thread as a message: it never waits on a dead worker.
process.on("uncaughtException", (e) => tell({ error: String((e && e.stack) || e) }));
port.on("message", ({ input, output, jobs }) => {
  try {
    const inView = Buffer.from(input);
    const outView = Buffer.from(output);
    let batch = [];
    for (const [index, offset, length, hinted] of jobs) {
      const data = inView.subarray(offset, offset + length);
      const crc32 = zlib.crc32(data) >>> 0;
      let stored = level === 0;
      if (!stored && (hinted === 1 || length >= sampleMin)) {
        const sample = data.subarray(0, sampleBytes);
        stored = zlib.deflateRawSync(sample, { level: 1 }).length >= sample.length * sampleKeep;
      }
      let size = length;
      if (!stored) {
        const deflated = zlib.deflateRawSync(data, { level });
        stored = deflated.length >= length;
        if (!stored) {
          deflated.copy(outView, offset);
          size = deflated.length;
        }
      }
      batch.push([index, crc32, stored ? 0 : 8, size]);
      if (batch.length >= 512) {
        tell({ results: batch });
        batch = [];
      }
    }
    if (batch.length > 0) tell({ results: batch });
  } catch (e) {
    tell({ error: String((e && e.stack) || e) });
  }
});
`;

/** How many threads compress: `CDKTF_LAYERS_THREADS` when set (a positive integer), else one per core, at most 16. */
export function defaultThreads(env: NodeJS.ProcessEnv = process.env): number {
  const set = Number(env.CDKTF_LAYERS_THREADS);
  if (Number.isInteger(set) && set > 0) return set;
  return Math.max(1, Math.min(16, typeof os.availableParallelism === "function" ? os.availableParallelism() : os.cpus().length));
}

/**
 * Reads files into one shared buffer, each as a view: compressAll then hands them to its threads
 * without copying.
 * @throws Error naming the file when it changed size since it was listed
 */
export function sharedContents(
  sizes: readonly number[],
  read: (index: number, into: Buffer) => number,
  name: (index: number) => string,
): Buffer[] {
  const total = sizes.reduce((a, b) => a + b, 0);
  const all = Buffer.from(new SharedArrayBuffer(Math.max(1, total)));
  let offset = 0;
  return sizes.map((size, i) => {
    const view = all.subarray(offset, offset + size);
    const got = read(i, view);
    if (got !== size)
      throw new Error(`${name(i)} changed while the archive was being built (${size} bytes listed, ${got} read): build again`);
    offset += size;
    return view;
  });
}

/**
 * Compresses every buffer (undefined: a directory) and returns the results in input order.
 * @param threads worker threads to use; 1 compresses on the calling thread
 * @param compressedName entries (by index) whose names say they are compressed: a sample decides at any size
 * @param consumeInput the inputs are not needed afterwards: deflated bytes overwrite them in place
 *   (a deflated entry is shorter than its input), so no second buffer the size of the input is
 *   allocated. Stored entries keep pointing at their inputs, untouched.
 * @throws Error carrying a worker's own error when compression fails on a thread
 */
export function compressAll(
  contents: ReadonlyArray<Buffer | undefined>,
  threads = defaultThreads(),
  level = DEFLATE_LEVEL,
  compressedName: (index: number) => boolean = () => false,
  consumeInput = false,
): CompressedEntry[] {
  const total = contents.reduce((sum, c) => sum + (c?.length ?? 0), 0);
  if (threads <= 1 || total < PARALLEL_THRESHOLD_BYTES) return contents.map((c, i) => compressEntry(c, level, compressedName(i)));

  const input = inputBuffer(contents);
  // A private copy of the inputs can be overwritten too: nothing else sees it.
  const output = consumeInput || input.copied ? input.buffer : new SharedArrayBuffer(input.byteLength);
  const outView = Buffer.from(output);
  const results: CompressedEntry[] = new Array(contents.length);
  const jobs: Array<Array<[number, number, number, 0 | 1]>> = Array.from({ length: threads }, () => []);
  const load = new Array(threads).fill(0);
  // Largest first onto the least loaded thread: the threads finish together.
  const order = contents.map((_, i) => i).sort((a, b) => (contents[b]?.length ?? 0) - (contents[a]?.length ?? 0));
  let pending = 0;
  for (const index of order) {
    const data = contents[index];
    if (!data || data.length === 0) {
      results[index] = compressEntry(data, level);
      continue;
    }
    let t = 0;
    for (let k = 1; k < threads; k++) if (load[k] < load[t]) t = k;
    jobs[t].push([index, input.offsets[index], data.length, compressedName(index) ? 1 : 0]);
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
      const workerData = {
        port: port2,
        signal,
        level,
        sampleMin: SAMPLE_MIN_BYTES,
        sampleBytes: SAMPLE_BYTES,
        sampleKeep: SAMPLE_KEEP,
      };
      const worker = new Worker(WORKER_SOURCE, { eval: true, workerData, transferList: [port2] });
      worker.unref();
      workers.push(worker);
      ports.push(port1);
      port1.postMessage({ input: input.buffer, output, jobs: batch });
    }
    while (pending > 0) {
      // Read the counter before draining: a result posted after this read also bumps the
      // counter, so the wait below returns at once instead of missing it.
      const seen = Atomics.load(done, 0);
      let drained = false;
      for (const port of ports) {
        for (let m = receiveMessageOnPort(port); m; m = receiveMessageOnPort(port)) {
          const message = m.message as WorkerMessage;
          if ("error" in message) throw new Error(`compressing on a worker thread failed: ${message.error}`);
          for (const [index, crc32, method, compressedSize] of message.results) {
            const data = contents[index]!;
            const start = input.offsets[index];
            results[index] = {
              crc32,
              method,
              size: data.length,
              compressed: method === 8 ? outView.subarray(start, start + compressedSize) : data,
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

/** What a worker posts: a batch of results, or the error that stopped it. */
type WorkerMessage = { results: Array<[number, number, 0 | 8, number]> } | { error: string };

/** The shared buffer holding every input, and each input's offset in it (copied only when needed). */
function inputBuffer(contents: ReadonlyArray<Buffer | undefined>): {
  buffer: SharedArrayBuffer;
  byteLength: number;
  offsets: number[];
  copied: boolean;
} {
  const first = contents.find((c) => c && c.length > 0);
  const shared = first?.buffer;
  if (shared instanceof SharedArrayBuffer && contents.every((c) => !c || c.length === 0 || c.buffer === shared)) {
    return { buffer: shared, byteLength: shared.byteLength, offsets: contents.map((c) => c?.byteOffset ?? 0), copied: false };
  }
  const total = contents.reduce((sum, c) => sum + (c?.length ?? 0), 0);
  const buffer = new SharedArrayBuffer(total);
  const view = Buffer.from(buffer);
  let offset = 0;
  const offsets = contents.map((c) => {
    const at = offset;
    if (c) {
      c.copy(view, offset);
      offset += c.length;
    }
    return at;
  });
  return { buffer, byteLength: total, offsets, copied: true };
}
