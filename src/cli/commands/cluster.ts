import { clusterRules } from '../../../rules/cluster/index.js';
import { addressKey } from '../../cluster/graph.js';
import { clusterExitStatus, judgeCluster } from '../../cluster/judge.js';
import { MAX_NODES, readReportFiles, splitNdjson, toNodes, type RawReport } from '../../cluster/load.js';
import { collectAll, readInventory, sshArgv, type SshOptions, type SshTarget } from '../../cluster/ssh.js';
import type { ClusterNode } from '../../cluster/types.js';
import { InputError } from '../../errors.js';
import { renderClusterChecklist } from '../../render/cluster-checklist.js';
import { renderClusterDot } from '../../render/cluster-dot.js';
import { renderClusterText } from '../../render/cluster-text.js';
import { list, num, str } from '../args.js';
import type { CliCommand } from '../io.js';

const FORMATS = new Set(['text', 'json', 'checklist', 'dot']);

/**
 * Many nodes' reports (files, stdin, or collected over ssh) → the sync graph and the cluster findings, with each
 * node's own findings under them. Nodes ssh could not reach are named in the report and make the exit status 1.
 */
const cluster: CliCommand = async ({ args: positionals, opts }, out) => {
  // Choices and ranges are checked by the parser (definition.ts).
  const format = opts.json ? 'json' : (str(opts.format) ?? 'text');
  if (!FORMATS.has(format)) throw new InputError(`--format: text, json, checklist or dot, not ${format}`);
  const parallel = num(opts.parallel) ?? 8;
  const timeout = num(opts.timeout) ?? 60;

  const raws: RawReport[] = [];
  const files = positionals.filter((p) => p !== '-');
  if (positionals.filter((p) => p === '-').length > 1) throw new InputError("'-' (stdin) may be named once");
  raws.push(...readReportFiles(files));
  if (positionals.includes('-')) raws.push(...splitNdjson(await readStdin()));

  const targets: SshTarget[] = list(opts.ssh).map((destination) => ({ destination, args: [] }));
  const inventory = str(opts.inventory);
  if (inventory !== undefined) targets.push(...readInventory(inventory));
  const unreachable: ClusterNode[] = [];
  const sshOrder: Array<RawReport | ClusterNode> = [];
  if (targets.length) {
    if (targets.length + raws.length > MAX_NODES) throw new InputError(`more than ${MAX_NODES} nodes`);
    const remoteWords = (str(opts.remote) ?? 'ntpdoctor').split(/\s+/).filter(Boolean);
    const config = str(opts['ssh-config']);
    const options: SshOptions = {
      remote: remoteWords,
      args: list(opts['remote-arg']),
      parallel,
      timeout,
      ...(config !== undefined ? { config } : {}),
      acceptNew: Boolean(opts['accept-new-host-keys']),
    };
    for (const t of targets) sshArgv(t, options); // every destination and word checked before any ssh runs
    const results = await collectAll(targets, options);
    results.forEach((r, i) => {
      const t = targets[i]!;
      if (r.raw) sshOrder.push(r.raw);
      else {
        // An address as destination still places the node in the graph: its clients' edges point at it.
        const host = t.destination.replace(/^.*@/, '').replace(/^\[|\]$/g, '');
        const n: ClusterNode = { name: t.destination, from: `ssh:${t.destination}`, addresses: addressKey(host) ? [host] : [], status: 'unreachable', error: r.error ?? 'no report' };
        unreachable.push(n);
        sshOrder.push(n);
      }
    });
  }
  if (raws.length === 0 && targets.length === 0) throw new InputError('no reports: name files, a directory, - for stdin, or --ssh / --inventory (see ntpdoctor cluster --help)');

  const parsed = toNodes([...raws, ...sshOrder.filter((x): x is RawReport => 'text' in x)]);
  // Keep the inventory's order: unreachable nodes where they were listed.
  const fromFiles = parsed.slice(0, raws.length);
  const fromSsh = parsed.slice(raws.length);
  const ordered = [...fromFiles, ...sshOrder.map((x) => ('text' in x ? fromSsh.shift()! : x))];
  const report = judgeCluster(ordered, clusterRules);
  for (const n of unreachable) out.notice(`${n.name}: unreachable: ${n.error ?? ''}`);

  if (format === 'json') out.json(report);
  else if (format === 'checklist') out.text(renderClusterChecklist(report));
  else if (format === 'dot') out.text(renderClusterDot(report));
  else out.text(renderClusterText(report, { color: out.isTTY }));
  return clusterExitStatus(report);
};

/** stdin whole, bounded: 256 MiB is far past MAX_NODES honest reports on one line each; more is refused, not read. */
async function readStdin(max = 256 * 1024 * 1024): Promise<string> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of process.stdin) {
    const b = chunk as Buffer;
    bytes += b.length;
    if (bytes > max) throw new InputError(`stdin: more than ${max} bytes`);
    chunks.push(b);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export default cluster;
