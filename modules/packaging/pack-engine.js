// @ts-check
// The packing engine: reads, hashes, pre-scans, compresses and writes the entries of one zip.
// Plain JavaScript on purpose: its worker threads load this file as it is, whatever runs the
// caller (ts-node, jest or compiled code). With threads, the calling thread and one worker per
// other core take the next file from a shared counter, read it into a buffer each reuses, hash,
// pre-scan and deflate it; workers hand the result over, and the calling thread writes the entries
// in order as they come. Small jobs run on the calling thread alone.
//
// The zip depends only on entry names, modes and contents: fixed timestamps, no extra fields or
// comments, entries in the order given, deflate at the level given (stored when deflate would not
// shrink the entry, as Info-ZIP does). Each entry is compressed on its own, so its bytes do not
// depend on the thread count, and an entry copied from an earlier zip is what compressing it gives.
"use strict";
const crypto = require("crypto");
const fs = require("fs");
const zlib = require("zlib");
const { utf16Layout } = require("../checks/utf16.js");
const { isMainThread, MessageChannel, receiveMessageOnPort, Worker, workerData } = require("worker_threads");

/**
 * @typedef {[offset: number, compressedSize: number, crc32: number, method: 0 | 8]} Stored
 *   where an entry's compressed bytes are in the plan's pack (the earlier zip)
 * @typedef {object} PlannedEntry one zip entry, in zip order; a folder's name ends in "/"
 * @property {string} name
 * @property {number} mode
 * @property {string} [abs] the file to read
 * @property {number} [size]
 * @property {0 | 1} [hint] 1: the name says the content is compressed, so a sample decides at any size
 * @property {string} [sha] the content's SHA-256 (hex), when known already
 * @property {Stored} [reuse] the compressed bytes, when known already
 * @property {Uint8Array} [data] the content itself (in-process jobs only)
 * @typedef {object} Plan
 * @property {string} out where the zip is written
 * @property {number} level deflate level, 0-9
 * @property {number} memLevel
 * @property {{ min: number, bytes: number, keep: number }} sample the stored-entry sample rule
 * @property {string[]} keywords byte strings one of which every secret holds (secrets.ts)
 * @property {{ path: string, sha256: string }} [pack] the earlier zip whose entries may be copied
 * @property {Record<string, Stored>} known compressed entries by content key (sha, plus "s" for a hint)
 * @property {PlannedEntry[]} entries
 * @typedef {[sha: string, crc32: number, method: 0 | 8, compressedSize: number, dataOffset: number, suspect: 0 | 1]} EntryResult
 * @typedef {object} PackResult
 * @property {string} zipSha256
 * @property {number} zippedBytes
 * @property {Array<EntryResult | null>} entries per planned entry (null for folders)
 * @property {boolean} packRejected the pack's bytes did not match its SHA-256: nothing of it was used
 * @property {number} compressed entries compressed now
 * @property {number} reused entries copied from the pack
 * @property {boolean} sameAsPack the zip would be the pack byte for byte: then it is not written,
 *   and `out` does not exist
 */

/** Deflate's output chunk is the input's size plus this: deflate's worst case fits, so there is one chunk. */
const CHUNK_SLACK = 1024;
const DOS_DATE = (0 << 9) | (1 << 5) | 1; // 1980-01-01 00:00, the earliest date every reader accepts
const VERSION_MADE_BY = (3 << 8) | 20; // Unix, spec 2.0
const VERSION_NEEDED = 20;
const UTF8_FLAG = 0x0800;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const MSDOS_DIR = 0x10;

/**
 * SHA-256 of one file's bytes, hex. Node's one-shot crypto.hash (from 20.12) costs a third less
 * than a Hash object per call, which counts over tens of thousands of small files.
 * @type {(data: Uint8Array) => string}
 */
const sha256Hex =
  typeof (/** @type {any} */ (crypto).hash) === "function"
    ? (data) => /** @type {any} */ (crypto).hash("sha256", data, "hex")
    : (data) => crypto.createHash("sha256").update(data).digest("hex");

/**
 * What to do with one file's bytes: hash them, and unless its compressed form is known,
 * pre-scan them for secrets and compress them.
 * @param {Plan} plan
 * @param {PlannedEntry} entry
 * @param {Uint8Array} data the content (a view the caller may reuse afterwards)
 * @param {(key: string) => boolean} isKnown whether compressed bytes of this content key are at hand
 * @returns {{ sha: string, known?: string, crc32?: number, method?: 0 | 8, compressed?: Uint8Array, suspect?: 0 | 1 }}
 */
function processContent(plan, entry, data, isKnown) {
  const sha = sha256Hex(data);
  const key = sha + (entry.hint ? "s" : "");
  if (isKnown(key)) return { sha, known: key };
  const suspect = mayHoldSecret(data, plan.keywords) ? 1 : 0;
  const crc32 = zlib.crc32(data) >>> 0;
  let stored = plan.level === 0 || data.length === 0;
  if (!stored && (entry.hint === 1 || data.length >= plan.sample.min)) {
    const sample = data.subarray(0, plan.sample.bytes);
    stored = zlib.deflateRawSync(sample, { level: 1 }).length >= sample.length * plan.sample.keep;
  }
  if (!stored) {
    // One output chunk the size of the worst case: no concatenation of 16 KiB pieces.
    const deflated = zlib.deflateRawSync(data, { level: plan.level, memLevel: plan.memLevel, chunkSize: data.length + CHUNK_SLACK });
    if (deflated.length < data.length) return { sha, crc32, method: 8, compressed: deflated, suspect };
  }
  return { sha, crc32, method: 0, compressed: data, suspect };
}

/**
 * Whether the bytes may hold a secret: a keyword of a secret rule, or UTF-16 text (whose
 * keywords are spread over two bytes each). The builder runs the rules themselves on these only.
 * @param {Uint8Array} data
 * @param {string[]} keywords
 */
function mayHoldSecret(data, keywords) {
  const bytes = Buffer.from(data.buffer, data.byteOffset, data.length);
  if (utf16Layout(bytes)) return true;
  for (const keyword of keywords) if (bytes.includes(keyword)) return true;
  return false;
}

/**
 * Reads a whole file into `buffer` (grown when too small); fails when its size is not the planned one.
 * @param {PlannedEntry} entry
 * @param {{ buffer: Buffer }} scratch reused between files: freshly allocated pages cost more than reading
 */
function readEntry(entry, scratch) {
  const size = /** @type {number} */ (entry.size);
  if (scratch.buffer.length < size + 1) scratch.buffer = Buffer.allocUnsafeSlow(Math.max(size + 1, scratch.buffer.length * 2));
  const fd = fs.openSync(/** @type {string} */ (entry.abs), "r");
  let got = 0;
  try {
    // One byte more than planned: a file that grew since it was listed reads long. A regular file
    // reads short only at its end, so a short read that brings the planned size needs no second read.
    while (got <= size) {
      const asked = size + 1 - got;
      const n = fs.readSync(fd, scratch.buffer, got, asked, null);
      got += n;
      if (n === 0 || (n < asked && got === size)) break;
    }
  } finally {
    fs.closeSync(fd);
  }
  if (got !== size) {
    throw new Error(
      `${entry.name} changed while the archive was being built (${size} bytes listed, ${got === size + 1 ? "more" : got} read): build again`,
    );
  }
  return scratch.buffer.subarray(0, size);
}

/** How much of the pack is read at once: entries are copied from a window, not from the whole zip in memory. */
const PACK_WINDOW = 4 << 20;

/**
 * The earlier zip, opened and checked against its SHA-256 by reading it through one small reused
 * buffer: reading a whole zip into fresh memory costs more in page faults than hashing it.
 * Its bytes are then read on demand through two windows of their own: one the written entries
 * point into (moved only after what points into it is written), one for comparing and copying.
 * @param {{ path: string, sha256: string }} pack
 * @returns {{ rejected: true } | { rejected: false, reader: ReturnType<typeof packReader> } | undefined}
 *   undefined when the zip is gone (pruned meanwhile)
 */
function openPack(pack) {
  let fd;
  try {
    fd = fs.openSync(pack.path, "r");
  } catch {
    return undefined;
  }
  try {
    const hash = crypto.createHash("sha256");
    const chunk = Buffer.allocUnsafe(1 << 20);
    let size = 0;
    for (let n = fs.readSync(fd, chunk, 0, chunk.length, 0); n > 0; n = fs.readSync(fd, chunk, 0, chunk.length, size)) {
      hash.update(chunk.subarray(0, n));
      size += n;
    }
    if (hash.digest("hex") !== pack.sha256) {
      fs.closeSync(fd);
      return { rejected: true };
    }
    return { rejected: false, reader: packReader(fd, size) };
  } catch (e) {
    fs.closeSync(fd);
    throw e;
  }
}

/**
 * Reads ranges of an open zip of `size` bytes through two windows. `bytes(which, at, length,
 * beforeMove)` returns a view valid until that window moves; `beforeMove` runs first, so that
 * whatever still points into the window is used up. A cached zip is never written again once
 * filed (every cache write is a new file renamed into place), so these are the bytes hashed.
 * @param {number} fd
 * @param {number} size
 */
function packReader(fd, size) {
  /** @param {number} bytes */
  const windowOf = (bytes) => ({ buffer: Buffer.allocUnsafe(bytes), start: 0, end: 0 });
  const windows = { copy: windowOf(PACK_WINDOW), compare: windowOf(1 << 20) };
  return {
    size,
    /**
     * @param {"copy" | "compare"} which
     * @param {number} at
     * @param {number} length
     * @param {() => void} [beforeMove]
     */
    bytes(which, at, length, beforeMove) {
      const w = windows[which];
      if (at >= w.start && at + length <= w.end) return w.buffer.subarray(at - w.start, at - w.start + length);
      if (beforeMove) beforeMove();
      // An entry larger than the window gets a buffer of its own.
      const target = length > w.buffer.length ? Buffer.allocUnsafe(length) : w.buffer;
      const want = Math.min(target.length, size - at);
      let got = 0;
      for (let n = -1; n !== 0 && got < want; got += n) n = fs.readSync(fd, target, got, want - got, at + got);
      if (got < length) throw new Error(`the earlier zip ended at ${at + got} bytes, ${length} were wanted from ${at}`);
      if (target === w.buffer) [w.start, w.end] = [at, at + got];
      return target.subarray(0, length);
    },
    close() {
      fs.closeSync(fd);
    },
  };
}

/** Files at least this large go to the workers first: one taken last would keep one worker busy while the other waits. */
const LARGE_FIRST_BYTES = 1 << 20;

/**
 * Writes the planned zip and returns what each entry became. Synchronous: with `threads` > 1,
 * `threads` - 1 workers read and compress while this thread writes the entries in order as they
 * come, and compresses files too whenever the next one to write is not ready.
 * @param {Plan} plan
 * @param {number} threads how many threads compress, this one included (0 and 1: this one only)
 * @param {(index: number, result: EntryResult) => void} [onEntry] called on this thread for each
 *   file entry once it is written, in zip order: work done there overlaps the workers' compression
 * @returns {PackResult}
 */
function pack(plan, threads, onEntry) {
  // Entries whose compressed bytes the pack holds need no reading; the rest is work, handed to the
  // workers before the pack is read and checked, so that they read files meanwhile.
  /** @type {number[]} */
  const large = [];
  /** @type {number[]} */
  const rest = [];
  plan.entries.forEach((e, i) => {
    if (!e.name.endsWith("/") && !(e.reuse && e.sha)) ((e.size ?? 0) >= LARGE_FIRST_BYTES ? large : rest).push(i);
  });
  const work = [...large, ...rest];
  const results = /** @type {Array<ReturnType<typeof processContent> | undefined>} */ (new Array(plan.entries.length));
  const scratch = { buffer: Buffer.alloc(0) };
  /** @param {number} i an entry to read, hash, pre-scan and compress on this thread */
  const processHere = (i) => {
    const e = plan.entries[i];
    const r = processContent(plan, e, e.data ?? readEntry(e, scratch), isKnown);
    // The scratch buffer is reused by the next entry: keep a copy of stored bytes.
    return r.compressed && r.method === 0 && !e.data ? { ...r, compressed: Buffer.from(r.compressed) } : r;
  };
  // This thread is one of the `threads`: it compresses the next file whenever the one it is to write next is not ready.
  const source = threads > 1 && work.length > 1 ? startWorkers(plan, work, threads - 1, results, processHere) : undefined;

  const opened = plan.pack && openPack(plan.pack);
  const packRejected = opened?.rejected === true;
  const reader = opened && !opened.rejected ? opened.reader : undefined;
  /** @param {Stored | undefined} at */
  const inPack = (at) => reader !== undefined && at !== undefined && at[0] + at[1] <= reader.size;
  /** @param {Stored | undefined} at */
  const fromPack = (at) =>
    at && inPack(at) ? /** @type {NonNullable<typeof reader>} */ (reader).bytes("copy", at[0], at[1], flush) : undefined;
  /** @param {string} key (a declaration, not a const: processHere above calls it) */
  function isKnown(key) {
    return inPack(plan.known[key]);
  }
  /** @param {number} i an entry of the work list, or (the pack went bad) one done here */
  const resultOf = (i, onThisThread = false) => (source && !onThisThread ? source.wait(i) : processHere(i));

  const fd = fs.openSync(plan.out, "w");
  const hash = crypto.createHash("sha256");
  // The central directory is one buffer, filled entry by entry; local headers go into an arena
  // reused after each flush: tens of thousands of small buffers would keep the collector busy.
  const central = Buffer.allocUnsafe(plan.entries.reduce((sum, e) => sum + 46 + Buffer.byteLength(e.name, "utf8"), 0));
  let centralUsed = 0;
  let arena = Buffer.allocUnsafe(1 << 20);
  let arenaUsed = 0;
  /** @param {number} n */
  const take = (n) => {
    if (arenaUsed + n > arena.length) {
      flush(); // what is queued points into the arena: written before it is reused
      arenaUsed = 0;
      if (n > arena.length) arena = Buffer.allocUnsafe(n);
    }
    arenaUsed += n;
    return arena.subarray(arenaUsed - n, arenaUsed);
  };
  /** @type {Array<EntryResult | null>} */
  const entries = [];
  let offset = 0;
  let queue = /** @type {Uint8Array[]} */ ([]);
  let queued = 0;
  let compressed = 0;
  let reused = 0;
  const flush = () => {
    let pending = queue;
    while (pending.length > 0) {
      let written = fs.writevSync(fd, pending);
      const rest = [];
      for (const piece of pending) {
        if (written >= piece.length) written -= piece.length;
        else {
          rest.push(piece.subarray(written));
          written = 0;
        }
      }
      pending = rest;
    }
    queue = [];
    queued = 0;
  };
  // While every byte so far is the pack's byte at the same offset (a rebuild after `touch`
  // or of a layer whose files all came back), nothing is written or hashed: a zip identical to
  // the pack is not written again. The first difference writes the common prefix, then goes on.
  let mirror = reader !== undefined;
  /** Whether the pack holds `piece` at the current offset, compared a window at a time. @param {Uint8Array} piece */
  const packHolds = (piece) => {
    const r = /** @type {NonNullable<typeof reader>} */ (reader);
    if (offset + piece.length > r.size) return false;
    for (let done = 0; done < piece.length; done += 1 << 20) {
      const n = Math.min(1 << 20, piece.length - done);
      if (!r.bytes("compare", offset + done, n).equals(piece.subarray(done, done + n))) return false;
    }
    return true;
  };
  const diverge = () => {
    mirror = false;
    // The common prefix, copied through the compare window (the copy window may hold the piece being written).
    const r = /** @type {NonNullable<typeof reader>} */ (reader);
    for (let at = 0; at < offset; at += 1 << 20) {
      const prefix = r.bytes("compare", at, Math.min(1 << 20, offset - at));
      hash.update(prefix);
      for (let done = 0; done < prefix.length;) done += fs.writeSync(fd, prefix, done, prefix.length - done);
    }
  };
  /** @param {Uint8Array} piece */
  const write = (piece) => {
    if (piece.length === 0) return;
    if (mirror) {
      if (packHolds(piece)) {
        offset += piece.length;
        return;
      }
      diverge();
    }
    hash.update(piece);
    queue.push(piece);
    queued += piece.length;
    offset += piece.length;
    if (queue.length >= 1024 || queued >= 8 << 20) flush();
  };
  try {
    plan.entries.forEach((entry, i) => {
      const isDir = entry.name.endsWith("/");
      let crc32 = 0;
      let method = /** @type {0 | 8} */ (0);
      let bytes = /** @type {Uint8Array} */ (Buffer.alloc(0));
      let sha = "";
      let suspect = /** @type {0 | 1} */ (0);
      if (!isDir) {
        const stored = entry.reuse && entry.sha ? entry.reuse : undefined;
        const copied = fromPack(stored);
        if (stored && copied) {
          [sha, crc32, method, bytes] = [/** @type {string} */ (entry.sha), stored[2], stored[3], copied];
          reused++;
        } else {
          const r = resultOf(i, stored !== undefined);
          const at = r.known === undefined ? undefined : plan.known[r.known];
          const found = fromPack(at);
          sha = r.sha;
          if (at && found) {
            [crc32, method, bytes] = [at[2], at[3], found];
            reused++;
          } else if (r.known) {
            // The content's pack went bad after planning: compress it here, as a worker would have.
            const again = processContent(plan, entry, entry.data ?? readEntry(entry, scratch), () => false);
            [crc32, method, bytes, suspect] = [
              /** @type {number} */ (again.crc32),
              /** @type {0 | 8} */ (again.method),
              Buffer.from(/** @type {Uint8Array} */ (again.compressed)),
              /** @type {0 | 1} */ (again.suspect),
            ];
            compressed++;
          } else {
            [crc32, method, bytes, suspect] = [
              /** @type {number} */ (r.crc32),
              /** @type {0 | 8} */ (r.method),
              /** @type {Uint8Array} */ (r.compressed),
              /** @type {0 | 1} */ (r.suspect),
            ];
            compressed++;
          }
        }
      }
      const size = isDir ? 0 : /** @type {number} */ (entry.size ?? entry.data?.length);
      const nameLength = Buffer.byteLength(entry.name, "utf8");
      const flags = /^[\x20-\x7e]*$/.test(entry.name) ? 0 : UTF8_FLAG;
      const headerOffset = offset;
      const local = take(30 + nameLength);
      local.write(entry.name, 30, "utf8");
      local.writeUInt32LE(0x04034b50, 0);
      local.writeUInt16LE(VERSION_NEEDED, 4);
      local.writeUInt16LE(flags, 6);
      local.writeUInt16LE(method, 8);
      local.writeUInt16LE(0, 10); // time
      local.writeUInt16LE(DOS_DATE, 12);
      local.writeUInt32LE(crc32, 14);
      local.writeUInt32LE(bytes.length, 18);
      local.writeUInt32LE(size, 22);
      local.writeUInt16LE(nameLength, 26);
      local.writeUInt16LE(0, 28);
      write(local);
      /** @type {EntryResult | null} */
      const result = isDir ? null : [sha, crc32, method, bytes.length, offset, suspect];
      entries.push(result);
      write(bytes);
      if (result && onEntry) onEntry(i, result);

      const mode = (isDir ? S_IFDIR : S_IFREG) | (entry.mode & 0o7777);
      const record = central.subarray(centralUsed, centralUsed + 46 + nameLength);
      centralUsed += record.length;
      record.writeUInt32LE(0x02014b50, 0);
      record.writeUInt16LE(VERSION_MADE_BY, 4);
      // Version needed, flags, method, time, date, crc, sizes, name and extra lengths: the local header's bytes 4-29.
      local.copy(record, 6, 4, 30);
      record.fill(0, 32, 38); // comment length, disk, internal attributes
      record.write(entry.name, 46, "utf8");
      record.writeUInt32LE(((mode << 16) | (isDir ? MSDOS_DIR : 0)) >>> 0, 38);
      record.writeUInt32LE(headerOffset, 42);
    });
    const centralStart = offset;
    write(central);
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(plan.entries.length, 8);
    end.writeUInt16LE(plan.entries.length, 10);
    end.writeUInt32LE(offset - centralStart, 12);
    end.writeUInt32LE(centralStart, 16);
    write(end);
    if (mirror && offset === reader?.size) {
      fs.closeSync(fd);
      fs.rmSync(plan.out, { force: true });
      return {
        zipSha256: /** @type {{ sha256: string }} */ (plan.pack).sha256,
        zippedBytes: offset,
        entries,
        packRejected,
        compressed,
        reused,
        sameAsPack: true,
      };
    }
    if (mirror) diverge(); // a strict prefix of the pack is not the pack
    flush();
  } catch (e) {
    fs.closeSync(fd);
    fs.rmSync(plan.out, { force: true });
    throw e;
  } finally {
    source?.stop();
    reader?.close();
  }
  fs.closeSync(fd);
  return { zipSha256: hash.digest("hex"), zippedBytes: offset, entries, packRejected, compressed, reused, sameAsPack: false };
}

/**
 * Starts `threads` workers over the work list. Each takes the next index from a shared counter
 * (so they finish together, in zip order), reads the file into its own reused buffer and posts the
 * result. This thread, waiting for a result, drains them with receiveMessageOnPort; when the one
 * it waits for is not there, it takes the next index itself (`processHere`), and sleeps on an
 * Atomics counter only once the list is all taken.
 * @param {Plan} plan
 * @param {number[]} work indexes into plan.entries
 * @param {number} threads
 * @param {Array<ReturnType<typeof processContent> | undefined>} results
 * @param {(i: number) => ReturnType<typeof processContent>} processHere
 */
function startWorkers(plan, work, threads, results, processHere) {
  const signal = new SharedArrayBuffer(8);
  const done = new Int32Array(signal);
  // What a worker needs, in few pieces (each is copied to every worker): the settings, the content
  // keys whose compressed bytes are at hand (one string), and per file its index, name, path, size and hint.
  const { level, memLevel, sample, keywords } = plan;
  const knownKeys = Object.keys(plan.known).join("\n");
  const files = work.map((i) => [i, plan.entries[i].name, plan.entries[i].abs, plan.entries[i].size, plan.entries[i].hint ?? 0]);
  const { ports, stop } = spawnWorkers(Math.min(threads, work.length), {
    packEngineWorker: true,
    signal,
    plan: { level, memLevel, sample, keywords },
    knownKeys,
    files,
  });
  return {
    /** @param {number} i */
    wait(i) {
      while (!results[i]) {
        // Read the counter before draining: a result posted after this read also bumps it, so
        // the wait below returns at once instead of missing it.
        const seen = Atomics.load(done, 0);
        let drained = false;
        for (const port of ports) {
          for (let m = receiveMessageOnPort(port); m; m = receiveMessageOnPort(port)) {
            const message = m.message;
            if (message.error) throw new Error(message.error);
            for (const [index, result] of message.results) results[index] = result;
            drained = true;
          }
        }
        if (drained || results[i]) continue;
        const k = Atomics.add(done, 1, 1);
        if (k < work.length) results[work[k]] = processHere(work[k]);
        else Atomics.wait(done, 0, seen, 1000);
      }
      const r = /** @type {ReturnType<typeof processContent>} */ (results[i]);
      results[i] = undefined; // written: let it go
      return r;
    },
    stop,
  };
}

/**
 * Starts `count` workers running this file with `data` (plus a `port` of their own to report on),
 * unref'd so that they never keep the process alive.
 * @param {number} count
 * @param {Record<string, unknown>} data
 */
function spawnWorkers(count, data) {
  /** @type {import("worker_threads").MessagePort[]} */
  const ports = [];
  /** @type {import("worker_threads").Worker[]} */
  const workers = [];
  for (let t = 0; t < count; t++) {
    const { port1, port2 } = new MessageChannel();
    const worker = new Worker(__filename, {
      workerData: { ...data, port: port2 },
      transferList: [port2],
      // A young generation large enough for a batch of results: the default one is collected every few files.
      resourceLimits: { maxYoungGenerationSizeMb: 64 },
    });
    worker.unref();
    workers.push(worker);
    ports.push(port1);
  }
  return {
    ports,
    stop() {
      for (const port of ports) port.close();
      for (const worker of workers) void worker.terminate();
    },
  };
}

/**
 * Reads and hashes files, and nothing more: what a rebuild does first when files' metadata changed
 * but their names and sizes did not (after `touch` or a fresh checkout). If the content turns out
 * the same, nothing is compressed or written. This thread hashes too, beside `threads` - 1 workers:
 * a worker costs tens of milliseconds to start, which this thread spends hashing, and once the
 * files are all taken it does not wait for a worker that has not started. Workers write each
 * SHA-256 into shared memory: no message per file. The list reaches each worker as two texts and
 * an array of numbers: copying tens of thousands of small arrays to a thread costs more.
 * @param {{ names: string[], paths: string[], sizes: number[] }} files
 * @param {number} threads how many threads hash, this one included (0 and 1: this one only)
 * @returns {string[]} the SHA-256s (hex)
 */
function hashFiles(files, threads) {
  const n = files.paths.length;
  const out = new Uint8Array(new SharedArrayBuffer(Math.max(1, n * 32)));
  const control = new Int32Array(new SharedArrayBuffer(HASH_CONTROL * 4));
  const workers = Math.min(threads, n) - 1;
  const started =
    workers > 0
      ? spawnWorkers(workers, {
          packEngineHasher: true,
          list: { names: files.names.join("\0"), paths: files.paths.join("\0"), sizes: Float64Array.from(files.sizes) },
          out,
          control,
        })
      : undefined;
  try {
    hashLoop(files, out, control);
    if (started) {
      for (
        let done = Atomics.load(control, HASHED);
        done < n && Atomics.load(control, FAILED) === 0;
        done = Atomics.load(control, HASHED)
      ) {
        Atomics.wait(control, HASHED, done, 1000);
      }
      for (const port of started.ports) {
        const m = receiveMessageOnPort(port);
        if (m) throw new Error(m.message.error);
      }
    }
  } finally {
    Atomics.store(control, NEXT, n); // after a failure here, the workers take no more files
    started?.stop();
  }
  const shas = new Array(n);
  for (let k = 0; k < n; k++) shas[k] = Buffer.from(out.buffer, k * 32, 32).toString("hex");
  return shas;
}

/** hashFiles' shared counters: the next file to take, the files hashed, and whether a worker failed. */
const [NEXT, HASHED, FAILED, HASH_CONTROL] = [0, 1, 2, 3];

/**
 * Hashes the files whose index it takes from `control[NEXT]`, on any thread, and counts each in
 * `control[HASHED]`, waking the calling thread once the last is done.
 * @param {{ names: string[], paths: string[], sizes: ArrayLike<number> }} files
 * @param {Uint8Array} out
 * @param {Int32Array} control
 */
function hashLoop(files, out, control) {
  const scratch = { buffer: Buffer.alloc(0) };
  const shas = Buffer.from(out.buffer, out.byteOffset, out.byteLength);
  const n = files.paths.length;
  for (let k = Atomics.add(control, NEXT, 1); k < n; k = Atomics.add(control, NEXT, 1)) {
    const data = readEntry({ name: files.names[k], abs: files.paths[k], size: files.sizes[k], mode: 0 }, scratch);
    shas.write(sha256Hex(data), k * 32, "hex");
    if (Atomics.add(control, HASHED, 1) === n - 1) Atomics.notify(control, HASHED);
  }
}

/** A hashing worker: hashes until no file is left; a failure stops the others and wakes the calling thread. */
function hasherLoop() {
  const { port, list, out, control } = workerData;
  const files = { names: list.names.split("\0"), paths: list.paths.split("\0"), sizes: list.sizes };
  try {
    hashLoop(files, out, control);
  } catch (e) {
    port.postMessage({ error: e instanceof Error ? e.message : String(e) });
    Atomics.store(control, NEXT, files.paths.length); // the others take no more files
    Atomics.store(control, FAILED, 1);
    Atomics.notify(control, HASHED);
  }
}

/** A worker: takes indexes from the shared counter until the work list is done. */
function workerLoop() {
  const { port, signal, plan, knownKeys, files } = workerData;
  const known = new Set(knownKeys ? knownKeys.split("\n") : []);
  /** @param {string} key */
  const isKnown = (key) => known.has(key);
  const done = new Int32Array(signal);
  /** @param {unknown} message @param {import("worker_threads").TransferListItem[]} [transfer] */
  const tell = (message, transfer) => {
    port.postMessage(message, transfer);
    Atomics.add(done, 0, 1);
    Atomics.notify(done, 0);
  };
  // Whatever goes wrong here reaches the waiting thread as a message: it never waits on a dead worker.
  process.on("uncaughtException", (e) => tell({ error: String((e && e.stack) || e) }));
  const scratch = { buffer: Buffer.alloc(0) };
  // Results go in batches: a message and a wake-up per file would cost more than reading it.
  /** @type {Array<[number, ReturnType<typeof processContent>]>} */
  let batch = [];
  /** @type {ArrayBuffer[]} */
  let moved = [];
  let batchBytes = 0;
  const send = () => {
    tell({ results: batch }, moved);
    [batch, moved, batchBytes] = [[], [], 0];
  };
  try {
    for (let k = Atomics.add(done, 1, 1); k < files.length; k = Atomics.add(done, 1, 1)) {
      const [index, name, abs, size, hint] = files[k];
      const entry = { name, abs, size, hint, mode: 0 };
      const r = processContent(plan, entry, readEntry(entry, scratch), isKnown);
      // Hand the bytes over without copying them: deflate's output owns its memory whole (one
      // chunk, not from Node's pool), so it moves; stored bytes live in the reused read buffer and are copied.
      const chunk = (entry.size ?? 0) + CHUNK_SLACK;
      const own =
        r.compressed &&
        r.method === 8 &&
        chunk >= Buffer.poolSize >>> 1 &&
        r.compressed.byteOffset === 0 &&
        r.compressed.buffer.byteLength === chunk;
      const compressed = r.compressed ? (own ? r.compressed : new Uint8Array(r.compressed)) : undefined;
      batch.push([index, { ...r, compressed }]);
      if (compressed) moved.push(/** @type {ArrayBuffer} */ (compressed.buffer));
      batchBytes += entry.size;
      if (batch.length >= 64 || batchBytes >= 4 << 20) send();
    }
    if (batch.length > 0) send();
  } catch (e) {
    tell({ error: e instanceof Error ? e.message : String(e) });
  }
}

if (!isMainThread && workerData && workerData.packEngineWorker) workerLoop();
if (!isMainThread && workerData && workerData.packEngineHasher) hasherLoop();

module.exports = { pack, hashFiles, mayHoldSecret };
