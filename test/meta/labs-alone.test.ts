/**
 * The labs run alone (vitest.config.ts LAB_FILES: after the unit files, one at a time). A test file that makes
 * namespaces or starts real daemons but is missing from that list would run beside other files, and its timing bounds
 * were not measured for that: every such file must be listed, and every listed path must exist.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LAB_FILES } from '../../vitest.config.js';
import { files, read, root } from './_files.js';

/** What marks a lab: its own namespaces (the shared helpers or `ip netns add`), unshare, the shell sandbox, tmux. */
const LAB_MARKS = [/\blabUnavailable\(/, /\bnew (?:Lab|VethLab|ClusterLab)\(/, /'netns', 'add'/, /\bunshare\b/, /_sandbox\.js/, /\btmux\b/];

// A LAB_FILES pattern as a regular expression: a double star and a slash stand for any folders (or none), a star for
// any part of a name (the patterns are ours, not input).
function globRe(g: string): RegExp {
  const body = g
    .split('**/')
    .map((part) => part.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*'))
    .join('(?:.*/)?');
  return new RegExp(`^${body}$`);
}
const matchesGlob = (f: string, g: string): boolean => globRe(g).test(f);
const isLab = (f: string): boolean => LAB_FILES.some((g) => matchesGlob(f, g));

describe('lab files run alone', () => {
  const tests = files('test').filter((f) => /\.test\.tsx?$/.test(f));

  it('every test file that makes namespaces or runs daemons in them is in LAB_FILES', () => {
    const missing = tests.filter((f) => f !== 'test/meta/labs-alone.test.ts' && LAB_MARKS.some((m) => m.test(read(f))) && !isLab(f));
    expect(missing).toEqual([]);
  });

  it('every LAB_FILES path names files that exist', () => {
    for (const g of LAB_FILES) {
      if (g.includes('*')) expect(tests.some((f) => matchesGlob(f, g)), g).toBe(true);
      else expect(existsSync(join(root, g)), g).toBe(true);
    }
  });

  it('the marks find the labs this suite has (a check that the check can fail)', () => {
    expect(tests.filter((f) => LAB_MARKS.some((m) => m.test(read(f)))).length).toBeGreaterThanOrEqual(20);
    expect(isLab('test/probe/lab-probe.test.ts')).toBe(true);
    expect(isLab('test/rules/no-response.test.ts')).toBe(false);
    expect(isLab('test/meta/labs-alone.test.ts')).toBe(false);
    expect(matchesGlob('test/lab/lab.test.ts', 'test/**/lab-*.test.ts')).toBe(false);
  });
});
