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
    // Vitest's default is one worker less than the cores: on this project's 2-core machine the whole suite ran one
    // file after another (765 s in CI). The unit files now run two at a time, first; the labs then run alone, one
    // after another, as before. Two labs side by side also passed (docs/architecture.md), but a lab beside other
    // work once missed a reading of chronyd in CI, so the labs keep the machine to themselves.
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: INCLUDE, exclude: [...configDefaults.exclude, ...LAB_FILES], maxWorkers: 2, sequence: { groupOrder: 0 } },
      },
      { extends: true, test: { name: 'lab', include: LAB_FILES, maxWorkers: 1, sequence: { groupOrder: 1 } } },
    ],
  },
});
