import type { Finding, Report } from '../diagnose/types.js';

/**
 * The remediation checklist: Markdown, grouped by host (finding subject), hosts in the order of their most
 * important finding, one `- [ ]` per step with its exact commands, then the verify step.
 */
export function renderChecklist(report: Report, title = 'NTP remediation checklist'): string {
  const out: string[] = [`# ${title}`, ''];
  for (const input of report.inputs) out.push(`- Input: ${input.kind} \`${input.name}\``);
  if (report.inputs.length) out.push('');
  const actionable = report.findings.filter((f) => f.fixes.length > 0 || f.severity !== 'info');
  if (actionable.length === 0) {
    out.push('Nothing to fix: no findings at warning or error.', '');
    const infos = report.findings.filter((f) => f.severity === 'info');
    for (const f of infos) out.push(`- ${f.title} (${f.rule})`);
    return `${out.join('\n')}\n`;
  }
  const hosts = new Map<string, Finding[]>();
  for (const f of report.findings) {
    const list = hosts.get(f.subject);
    if (list) list.push(f);
    else hosts.set(f.subject, [f]);
  }
  let step = 0;
  for (const [host, findings] of hosts) {
    out.push(`## ${host}`, '');
    for (const f of findings) {
      out.push(`### ${f.severity.toUpperCase()}: ${f.title} (\`${f.rule}\`)`, '');
      for (const e of f.evidence.slice(0, 3)) {
        const frames = e.frames?.length ? ` (frames ${e.frames.join(', ')})` : '';
        const file = e.file ? ` (${e.file}${e.line !== undefined ? `:${e.line}` : ''})` : '';
        out.push(`> ${e.text}${frames}${file}`);
      }
      if (f.evidence.length) out.push('');
      if (f.fixes.length === 0) {
        out.push(`- [ ] ${++step}. Review: ${f.title}`, '');
        continue;
      }
      const first = f.fixes[0]!;
      for (const fix of f.fixes) {
        const alt = fix === first ? '' : ' (alternative)';
        out.push(`- [ ] ${++step}. [${fix.platform}] ${fix.title}${alt}`);
        if (fix.commands.length) {
          out.push('  ```sh');
          for (const cmd of fix.commands) out.push(`  ${cmd}`);
          out.push('  ```');
        }
        out.push(`  - [ ] verify: \`${fix.verify}\``);
      }
      out.push('');
    }
  }
  return `${out.join('\n')}\n`;
}
