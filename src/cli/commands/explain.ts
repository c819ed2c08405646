import { clusterRules } from '../../../rules/cluster/index.js';
import { rules as nodeRules } from '../../../rules/index.js';
import { pageForTerminal, pageFromMeta, readRulePage } from '../../docs/pages.js';
import { suggest } from '../../docs/suggest.js';
import { InputError } from '../../errors.js';
import { toTerminal } from '../../render/terminal.js';
import type { CliCommand } from '../io.js';


/**
 * `ntpdoctor explain RULE-ID`: the rule's page (problem, evidence, fixes, exceptions, references), as ShellCheck's
 * wiki gives one per code. An unknown id is a usage error (exit 2) with the closest ids suggested.
 */
const explain: CliCommand = async ({ args }, out) => {
  // The rules of one report and the cluster rules (`ntpdoctor cluster`): each has its page in docs/rules/.
  const rules = [...nodeRules, ...clusterRules];
  const ids = rules.map((r) => r.meta.id).sort();
  const id = args[0];
  if (id === undefined) {
    const width = Math.max(...ids.map((x) => x.length));
    const lines = [...rules]
      .sort((a, b) => a.meta.id.localeCompare(b.meta.id))
      .map((r) => `${r.meta.id.padEnd(width)}  ${r.meta.severity.padEnd(7)}  ${r.meta.summary}`);
    out.text(toTerminal([...lines, '', 'ntpdoctor explain RULE-ID prints the rule\'s page.']));
    return 0;
  }
  const rule = rules.find((r) => r.meta.id === id);
  if (!rule) {
    const close = suggest(id, ids);
    const hint = close.length ? `did you mean ${close.join(', ')}? ` : '';
    throw new InputError(`unknown rule '${id}' (${hint}ntpdoctor explain lists them all)`);
  }
  const page = readRulePage(rule.meta.id) ?? pageFromMeta(rule.meta);
  out.text(toTerminal(pageForTerminal(page)));
  return 0;
};

export default explain;
