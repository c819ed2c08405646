#!/usr/bin/env node
// Exported names declared in more than one file of src/ and rules/ (issue 14: no two exported types share a name).
// `node scripts/duplicates.mjs` prints "NAME: file, file" per duplicate and exits 1 when there is any.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const walk = (d) => readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(d, e.name)) : /\.tsx?$/.test(e.name) ? [join(d, e.name)] : []));
const byName = new Map();
for (const f of [...walk('src'), ...walk('rules')]) {
  for (const m of readFileSync(f, 'utf8').matchAll(/^export\s+(?:declare\s+)?(?:abstract\s+)?(?:interface|type|class|const\s+enum|enum|const|let|function\*?|async\s+function)\s+([A-Za-z_$][\w$]*)/gm)) {
    const list = byName.get(m[1]) ?? [];
    list.push(f);
    byName.set(m[1], list);
  }
}
const dups = [...byName].filter(([, fs]) => fs.length > 1).sort(([a], [b]) => a.localeCompare(b));
for (const [name, fs] of dups) console.log(`${name}: ${fs.join(', ')}`);
process.exitCode = dups.length ? 1 : 0;
