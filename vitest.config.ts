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
    // One file at a time, as vitest's default gives on this project's 2-core machine (one worker less than the cores),
    // said here so that a bigger machine does not change it. Tried this session (docs/architecture.md, "Real peers,
    // never mocks"): every file two at a time (~455 s instead of ~765 s) failed once in CI in a lab; unit files two at a
    // time with the labs alone after them (~710 s) failed once in CI in test/serve/server.test.ts, whose server must
    // stamp receive and transmit within 5 ms of each other on a machine where another file is busy. The two groups stay:
    // the labs run last, alone, whatever a unit file's worker count becomes.
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: INCLUDE, exclude: [...configDefaults.exclude, ...LAB_FILES], maxWorkers: 1, sequence: { groupOrder: 1 } },
      },
      { extends: true, test: { name: 'lab', include: LAB_FILES, maxWorkers: 1, sequence: { groupOrder: 2 } } },
    ],
  },
});
