import { analyzeCaptures } from '../../run/capture-file.js';
import { exitStatus } from '../../diagnose/report.js';
import { InputError } from '../../errors.js';
import { renderChecklist } from '../../render/checklist.js';
import { list } from '../args.js';
import type { CliCommand } from '../io.js';

/** The remediation checklist (Markdown) of a capture, or of this node: the same text the TUI's `w` writes. */
const checklist: CliCommand = async ({ args, opts }, out) => {
  const localIps = list(opts['local-ip']);
  const servers = list(opts.server);
  const configs = list(opts.config);
  let report;
  if (args.length) {
    if (servers.length || configs.length || opts['no-probe']) throw new InputError('--server, --config and --no-probe are for this node (no FILE)');
    report = await analyzeCaptures([...args], { localIps });
  } else {
    const { diagnoseNode } = await import('../../run/node.js');
    report = await diagnoseNode({ servers, configs, noProbe: opts['no-probe'] === true });
  }
  out.text(renderChecklist(report));
  return exitStatus(report);
};

export default checklist;
