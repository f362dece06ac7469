// Compresses many entries on worker threads while the caller stays synchronous (constructs are
// built synchronously): the main thread hands out work, then sleeps on an Atomics counter and
// drains results with receiveMessageOnPort. Input and output live in SharedArrayBuffers, so no
// content is copied between threads; messages carry only offsets, sizes and checksums. Each entry
// is compressed exactly as compressEntry does, so the bytes do not depend on the thread count.
import * as os from "os";
import { MessageChannel, MessagePort, receiveMessageOnPort, Worker } from "worker_threads";
import { CompressedEntry, compressEntry, DEFLATE_LEVEL } from "./zip-writer";

/** Below this many bytes in total, starting threads costs more than it saves. */
const PARALLEL_THRESHOLD_BYTES = 4 * 1024 * 1024;

// Plain JavaScript evaluated in the worker: no loader or transpiler needed, whatever runs the caller.
// A deflated entry is only kept when smaller than its input, so it always fits in the input's slot
// of the output buffer.
const WORKER_SOURCE = `
const { workerData } = require("worker_threads");
const zlib = require("zlib");
const { port, signal, level } = workerData;
const done = new Int32Array(signal);
port.on("message", ({ input, output, jobs }) => {
  const inView = Buffer.from(input);
  const outView = Buffer.from(output);
  let batch = [];
  const flush = () => {
    port.postMessage(batch);
    batch = [];
    Atomics.add(done, 0, 1);
    Atomics.notify(done, 0);
  };
  for (const [index, offset, length] of jobs) {
    const data = inView.subarray(offset, offset + length);
    const crc32 = zlib.crc32(data) >>> 0;
    const deflated = zlib.deflateRawSync(data, { level });
    const stored = deflated.length >= length;
    if (!stored) deflated.copy(outView, offset);
    batch.push([index, crc32, stored ? 0 : 8, stored ? length : deflated.length]);
    if (batch.length >= 512) flush();
  }
  if (batch.length > 0) flush();
});
`;

/** How many threads compress: one per core, at most 8. */
export function defaultThreads(): number {
  return Math.max(1, Math.min(8, typeof os.availableParallelism === "function" ? os.availableParallelism() : os.cpus().length));
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
 */
export function compressAll(
  contents: ReadonlyArray<Buffer | undefined>,
  threads = defaultThreads(),
  level = DEFLATE_LEVEL,
): CompressedEntry[] {
  const total = contents.reduce((sum, c) => sum + (c?.length ?? 0), 0);
  if (threads <= 1 || total < PARALLEL_THRESHOLD_BYTES) return contents.map((c) => compressEntry(c, level));

  const input = inputBuffer(contents);
  const output = new SharedArrayBuffer(input.byteLength);
  const outView = Buffer.from(output);
  const results: CompressedEntry[] = new Array(contents.length);
  const jobs: Array<Array<[number, number, number]>> = Array.from({ length: threads }, () => []);
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
    jobs[t].push([index, input.offsets[index], data.length]);
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
      port1.postMessage({ input: input.buffer, output, jobs: batch });
    }
    while (pending > 0) {
      // Read the counter before draining: a result posted after this read also bumps the
      // counter, so the wait below returns at once instead of missing it.
      const seen = Atomics.load(done, 0);
      let drained = false;
      for (const port of ports) {
        for (let m = receiveMessageOnPort(port); m; m = receiveMessageOnPort(port)) {
          for (const [index, crc32, method, compressedSize] of m.message as Array<[number, number, 0 | 8, number]>) {
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

/** The shared buffer holding every input, and each input's offset in it (copied only when needed). */
function inputBuffer(contents: ReadonlyArray<Buffer | undefined>): { buffer: SharedArrayBuffer; byteLength: number; offsets: number[] } {
  const first = contents.find((c) => c && c.length > 0);
  const shared = first?.buffer;
  if (shared instanceof SharedArrayBuffer && contents.every((c) => !c || c.length === 0 || c.buffer === shared)) {
    return { buffer: shared, byteLength: shared.byteLength, offsets: contents.map((c) => c?.byteOffset ?? 0) };
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
  return { buffer, byteLength: total, offsets };
}
