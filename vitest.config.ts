import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    testTimeout: 20_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two files at a time. Vitest's default is one worker less than the cores, which on this project's 2-core
    // machine ran the suite one file after another (765 s in CI, 498 of them lab files that mostly wait on daemons).
    // The labs can share the machine: every namespace, veth, work dir and daemon state path carries its file's
    // prefix and PID (test/_netns.ts, test/probe/lab.ts, test/live/lab.ts), and nothing is bound outside a lab's own
    // namespaces. Measured here: 472 s with 2121 passed.
    maxWorkers: 2,
    reporters: ['default', './test/summary-reporter.ts'],
  },
});
