/** Worker-thread entry (dist/shard-worker.js): analyses one shard of a capture and posts it back (./run.ts). */
import { parentPort, workerData } from 'node:worker_threads';
import { InputError } from '../errors.js';
import { observeShard } from './shard.js';
import type { ShardReply, ShardTask } from './types.js';

const task = workerData as ShardTask;
let reply: ShardReply;
try {
  reply = { ok: true, result: await observeShard(task.file, task.shard, task.localIps) };
} catch (error) {
  reply = { ok: false, message: error instanceof Error ? error.message : String(error), inputError: error instanceof InputError };
}
parentPort?.postMessage(reply);
