import { analyzeCaptures } from '../../run/capture-file.js';
import { exitStatus } from '../../diagnose/report.js';
import { InputError } from '../../errors.js';
import { renderChecklist } from '../../render/checklist.js';
import { list, parseArgs } from '../args.js';
import type { CliCommand } from '../io.js';

const USAGE =
  'usage: ntpdoctor checklist [FILE...] [--local-ip IP]...   (no FILE: this node, with diagnose\'s --server H, --config FILE, --no-probe)';

/** The remediation checklist (Markdown) of a capture, or of this node: the same text the TUI's `w` writes. */
const checklist: CliCommand = async (argv, out) => {
  const args = parseArgs(argv, {
    options: { 'local-ip': 'string[]', server: 'string[]', config: 'string[]', 'no-probe': 'boolean' },
    alias: { s: 'server', c: 'config' },
    usage: USAGE,
  });
  const localIps = list(args.values['local-ip']);
  const servers = list(args.values.server);
  const configs = list(args.values.config);
  let report;
  if (args.positionals.length) {
    if (servers.length || configs.length || args.values['no-probe']) throw new InputError('--server, --config and --no-probe are for this node (no FILE)');
    report = await analyzeCaptures(args.positionals, { localIps });
  } else {
    const { diagnoseNode } = await import('../../run/node.js');
    report = await diagnoseNode({ servers, configs, noProbe: Boolean(args.values['no-probe']) });
  }
  out.text(renderChecklist(report));
  return exitStatus(report);
};

export default checklist;
