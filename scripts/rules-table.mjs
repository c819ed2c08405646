// Prints the README's rule table from the registered rules (`npm run build` first): node scripts/rules-table.mjs
// With --write, replaces the table between the RULES markers in README.md. Each id links its page, docs/rules/<id>.md.
import { readFileSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { rules } = await import(join(root, 'dist', 'rules.js'));
const rows = [...rules]
  .sort((a, b) => a.meta.id.localeCompare(b.meta.id))
  .map((r) => `| [\`${r.meta.id}\`](docs/rules/${r.meta.id}.md) | ${r.meta.severity} | ${r.meta.summary.replace(/\|/g, '\\|')} |`);
const table = ['| id | severity | meaning |', '| --- | --- | --- |', ...rows].join('\n');
if (process.argv.includes('--write')) {
  const readme = join(root, 'README.md');
  const text = readFileSync(readme, 'utf8');
  const next = text.replace(/<!-- RULES:BEGIN -->[\s\S]*<!-- RULES:END -->/, `<!-- RULES:BEGIN -->\n${table}\n<!-- RULES:END -->`);
  writeFileSync(readme, next);
} else console.log(table);
