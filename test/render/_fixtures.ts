/** Every capture fixture in the repository (pcap and pcapng), for tests that render one output per fixture. */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

export function captureFixtures(dir = 'fixtures'): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...captureFixtures(p));
    else if (/\.pcap(ng)?$/.test(e.name)) out.push(p);
  }
  return out.sort();
}
