import { configDefaults, defineConfig } from 'vitest/config';

/**
 * Test files that build network or mount namespaces and run real daemons in them (the "labs"). They run one at a time,
 * after everything else, with nothing beside them: a lab's daemons and their timing are then what they were when its
 * bounds were measured. test/meta/labs-alone.test.ts checks that every file making a namespace is listed here.
 */
export const LAB_FILES = [
  'test/**/lab-*.test.ts',
  'test/lab/lab.test.ts',
  'test/live/no-ntp-seen-live.test.ts',
  'test/live/nts-ke-live.test.ts',
  'test/probe/no-probe-dns.test.ts',
  'test/probe/strays.test.ts',
  'test/shell/hostile-fixes.test.ts',
  'test/ui/tmux-e2e.test.ts',
  'test/ui/tmux-screen.test.ts',
];

const INCLUDE = ['test/**/*.test.ts', 'test/**/*.test.tsx'];

export default defineConfig({
  test: {
    // No `include` here: `extends: true` would add it to each project's own.
    testTimeout: 20_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ['default', './test/summary-reporter.ts'],
    // Unit files two at a time (2 cores), then the labs one at a time with nothing beside them. Tried before
    // (docs/architecture.md, "Real peers, never mocks"): every file two at a time (~455 s instead of ~765 s) failed once
    // in CI in a lab; unit files two at a time failed once in CI in test/serve/server.test.ts, whose server had to stamp
    // receive and transmit within a fixed 5 ms while another file kept the other core busy. That bound, the loopback
    // offset bounds and the clock-anchor bounds are now ones that hold under any load (RFC 5905 §8: on one clock T2..T3
    // lies inside T1..T4, and the offset error is at most half the round trip; wall-clock readings bracket the value).
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: INCLUDE, exclude: [...configDefaults.exclude, ...LAB_FILES], maxWorkers: 2, sequence: { groupOrder: 1 } },
      },
      { extends: true, test: { name: 'lab', include: LAB_FILES, maxWorkers: 1, sequence: { groupOrder: 2 } } },
    ],
  },
});
