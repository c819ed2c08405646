import { analyzeCaptures } from '../../analyze.js';
import { exitStatus } from '../../diagnose/report.js';
import { renderChecklist } from '../../render/checklist.js';
import { list, parseArgs } from '../args.js';
import type { Command } from '../io.js';

const USAGE = 'usage: ntpdoctor checklist [FILE...] [--local-ip IP]   (no FILE: diagnose this node)';

const checklist: Command = async (argv, io) => {
  const args = parseArgs(argv, { options: { 'local-ip': 'string[]' }, usage: USAGE });
  const localIps = list(args.values['local-ip']);
  let report;
  if (args.positionals.length) {
    report = await analyzeCaptures(args.positionals, { localIps });
  } else {
    const { diagnoseNode } = await import('../../node-report.js');
    report = await diagnoseNode({});
  }
  io.stdout(renderChecklist(report));
  return exitStatus(report);
};

export default checklist;
