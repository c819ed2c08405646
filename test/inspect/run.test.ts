/** The command runner: never throws, says why a tool gave nothing (missing, timeout, failure). */
import { describe, expect, it } from 'vitest';
import { runCommand, whyFailed } from '../../src/inspect/run.js';

describe('runCommand', () => {
  it('returns stdout of a command that works', async () => {
    const r = await runCommand('sh', ['-c', 'echo ok']);
    expect(r).toMatchObject({ ok: true, code: 0, stdout: 'ok\n' });
  });

  it('reports a missing tool, a timeout and a failing exit as data', async () => {
    const missing = await runCommand('ntpdoctor-no-such-tool', []);
    expect(missing.problem).toBe('not-found');
    expect(whyFailed(missing)).toBe('ntpdoctor-no-such-tool is not installed');
    const slow = await runCommand('sleep', ['5'], { timeoutMs: 200 });
    expect(slow.problem).toBe('timeout');
    expect(whyFailed(slow, 200)).toBe('`sleep 5` did not answer within 0.2 s');
    const failed = await runCommand('sh', ['-c', 'echo "Operation not permitted (you must be root)" >&2; exit 1']);
    expect(failed).toMatchObject({ ok: false, code: 1, problem: 'permission' });
    expect(whyFailed(failed)).toContain('run ntpdoctor as root');
  });
});
