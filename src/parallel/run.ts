/**
 * A capture file analysed by several threads (`analyze --threads N`): shard 0 on this thread, the others in worker
 * threads (dist/shard-worker.js, ./worker.ts), each reading the file itself. Worth it on large files of few paths
 * only: a worker costs tens of milliseconds to start and every shard reads the whole file (see threadsFor).
 */
import { existsSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Worker } from 'node:worker_threads';

type WorkerClass = typeof import('node:worker_threads').Worker;
import { InputError } from '../errors.js';
import { observeShard } from './shard.js';
import type { ShardReply, ShardResult, ShardTask } from './types.js';

/** Beyond this, more threads only add start-up and reads. */
const MAX_THREADS = 64;

/** Where the worker's script is: next to the bundle (dist/). Running from the TypeScript sources, there is none. */
function workerScript(): string | undefined {
  const url = new URL('./shard-worker.js', import.meta.url);
  if (url.protocol !== 'file:') return undefined;
  const path = fileURLToPath(url);
  return existsSync(path) ? path : undefined;
}

/**
 * How many threads to analyse `file` with: `requested` (1 when not given), and 1 for stdin, for anything that is not
 * a regular file, or without the worker script. One thread is the default because a second one does not pay on
 * every capture (measured on 2 cores, `npm run bench`): 8 % faster on 2 M frames of 64 paths, but slower on a
 * 53 MB file (start-up, every shard reads the whole file) and much slower with 100 k paths (each shard's lookups
 * miss the cache as often as one thread's, and the worker's paths cross threads by structured clone).
 */
export function threadsFor(file: string, requested: number | undefined): number {
  if (file === '-' || requested === undefined || requested <= 1 || workerScript() === undefined) return 1;
  try {
    if (!statSync(file).isFile()) return 1;
  } catch {
    return 1; // the reader says what is wrong with it
  }
  return Math.min(requested, MAX_THREADS);
}

/** Runs one shard in a worker thread (`Worker`: node:worker_threads'); `workers` collects it so a failed analysis can stop it. */
function runWorker(Worker: WorkerClass, script: string, task: ShardTask, workers: Worker[]): Promise<ShardResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(script, { workerData: task });
    workers.push(worker);
    let settled = false;
    worker.once('message', (reply: ShardReply) => {
      settled = true;
      if (reply.ok) resolve(reply.result);
      else reject(reply.inputError ? new InputError(reply.message) : new Error(reply.message));
    });
    worker.once('error', (error) => {
      if (!settled) reject(error);
      settled = true;
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new Error(`shard worker exited with code ${code}`));
      settled = true;
    });
  });
}

/**
 * Every shard of `file` (`count` of them), in shard order. A worker that fails for any reason but the input's own
 * (which shard 0 reports first anyway) is redone on this thread: a thread problem never costs the analysis.
 */
export async function runShards(file: string, count: number, localIps: readonly string[]): Promise<ShardResult[]> {
  const script = workerScript();
  // Loaded by the runs that use it, before any worker starts (loading it costs ~4 ms: every analyze paid it).
  const WorkerThread = script === undefined ? undefined : (await import('node:worker_threads')).Worker;
  const workers: Worker[] = [];
  const others: Promise<ShardResult>[] = [];
  for (let index = 1; index < count; index++) {
    const shard = { index, count };
    const task: ShardTask = { file, shard, localIps: [...localIps] };
    const viaWorker = script === undefined || WorkerThread === undefined ? undefined : runWorker(WorkerThread, script, task, workers);
    // A settled outcome either way, so nothing is left rejecting unobserved if shard 0 throws first.
    others.push(
      viaWorker === undefined
        ? Promise.resolve().then(() => observeShard(file, shard, localIps))
        : viaWorker.catch((error: unknown) => {
            if (error instanceof InputError) throw error;
            return observeShard(file, shard, localIps);
          }),
    );
  }
  const all = Promise.all(others);
  all.catch(() => undefined);
  try {
    // Shard 0 on this thread while the workers run; its InputError is the one the user sees.
    const own = await observeShard(file, { index: 0, count }, localIps);
    return [own, ...(await all)];
  } catch (error) {
    for (const w of workers) void w.terminate();
    throw error;
  }
}
