/** The UI reducer as data: actions in, state out, no rendering. */
import { beforeAll, describe, expect, it } from 'vitest';
import type { NtpExchange } from '../../src/model/exchange.js';
import type { Report } from '../../src/diagnose/types.js';
import { exchangeRow, initialState, PANE_ROWS_KEPT, quitStatus, reduce, selectedFinding, type Action, type UiState } from '../../src/ui/state.js';
import { exchangesOf, HEALTHY, MANY, REJECT, reportOf } from './_reports.js';

const run = (actions: Action[], from: UiState = initialState) => actions.reduce(reduce, from);

let reject: Report;
let healthy: Report;
let many: Report;
let rejectExchanges: NtpExchange[];
let healthyExchanges: NtpExchange[];

beforeAll(async () => {
  [reject, healthy, many, rejectExchanges, healthyExchanges] = await Promise.all([
    reportOf(REJECT),
    reportOf(HEALTHY),
    reportOf(...MANY),
    exchangesOf(REJECT),
    exchangesOf(HEALTHY),
  ]);
});

describe('steps', () => {
  it('lists steps in the order they start and finishes them in the order they end (what <Static> prints)', () => {
    const s = run([
      { type: 'step', step: { id: 'configs', label: 'Configs', status: 'running' }, at: 1000 },
      { type: 'step', step: { id: 'firewall', label: 'Firewall', status: 'running' }, at: 1100 },
      { type: 'step', step: { id: 'probe:198.51.100.100:123', label: 'Probe', status: 'running' }, at: 1100 },
      { type: 'step', step: { id: 'probe:198.51.100.100:123', label: 'Probe', status: 'failed', detail: '0/3 replies' }, at: 1900 },
      { type: 'step', step: { id: 'configs', label: 'Configs', status: 'done', detail: '1 config' }, at: 2000 },
    ]);
    expect(s.steps.map((x) => [x.id, x.status])).toEqual([
      ['configs', 'done'],
      ['firewall', 'running'],
      ['probe:198.51.100.100:123', 'failed'],
    ]);
    expect(s.finished).toEqual(['probe:198.51.100.100:123', 'configs']);
    expect(s.steps[0]).toMatchObject({ startedAt: 1000, endedAt: 2000, detail: '1 config' });
  });

  it('keeps a finished step finished: a late report of it changes nothing already printed', () => {
    const done = run([
      { type: 'step', step: { id: 'daemon', label: 'Daemon', status: 'running' }, at: 0 },
      { type: 'step', step: { id: 'daemon', label: 'Daemon', status: 'done', detail: 'x' }, at: 5 },
    ]);
    const again = reduce(done, { type: 'step', step: { id: 'daemon', label: 'Daemon', status: 'failed', detail: 'y' }, at: 9 });
    expect(again).toBe(done);
  });

  it('opens the capture pane when the capture step starts', () => {
    const s = reduce(initialState, { type: 'step', step: { id: 'capture', label: 'Capture 10 s on any interface', status: 'running' }, at: 0 });
    expect(s.capture).toEqual({ label: 'Capture 10 s on any interface', rows: [], offsets: [], total: 0, replies: 0 });
  });
});

describe('capture pane', () => {
  it('shows a real reply with its stratum, offset and delay (healthy chrony capture)', () => {
    const x = healthyExchanges.find((e) => e.outcome === 'reply' && e.offset !== undefined)!;
    const row = exchangeRow(x);
    expect(row.outcome).toBe(`reply s${x.reply!.stratum}`);
    expect(row.ok).toBe(true);
    expect(row.offset).toBe(x.offset);
    expect(row.delay).toBe(x.delay);
    expect(row.server).toBe(x.server.ip);
  });

  it('shows the reject as its ICMP type/code, not ok, without an offset', () => {
    const x = rejectExchanges.find((e) => e.outcome === 'icmp')!;
    expect(exchangeRow(x)).toMatchObject({ outcome: 'ICMP 3/10', ok: false });
    expect(exchangeRow(x).offset).toBeUndefined();
  });

  it('counts every exchange, keeps offsets in order (gaps for ICMP), bounds the rows kept', () => {
    const xs = [...healthyExchanges, ...rejectExchanges];
    const s = run(xs.map((exchange) => ({ type: 'exchange', exchange }) as Action));
    expect(s.capture!.total).toBe(xs.length);
    expect(s.capture!.replies).toBe(xs.filter((x) => x.outcome === 'reply').length);
    expect(s.capture!.offsets).toEqual(xs.map((x) => x.offset));
    const flood = run(Array.from({ length: PANE_ROWS_KEPT + 7 }, () => ({ type: 'exchange', exchange: healthyExchanges[0]! }) as Action));
    expect(flood.capture!.rows).toHaveLength(PANE_ROWS_KEPT);
    expect(flood.capture!.total).toBe(PANE_ROWS_KEPT + 7);
  });
});

describe('report, selection, detail', () => {
  it('takes the exit status the CLI would give: 1 for the reject, 0 for the healthy capture', () => {
    expect(reduce(initialState, { type: 'report', report: reject }).exitStatus).toBe(1);
    expect(reduce(initialState, { type: 'report', report: healthy }).exitStatus).toBe(0);
  });

  it('moves the selection within the findings and not past either end', () => {
    const n = many.findings.length;
    expect(n).toBeGreaterThan(5);
    const s = run([{ type: 'report', report: many }, { type: 'select', delta: -1 }]);
    expect(s.selected).toBe(0);
    const t = run([{ type: 'select', delta: 3 }, { type: 'select', delta: 1 }], s);
    expect(selectedFinding(t)).toBe(many.findings[4]);
    expect(run([{ type: 'select', delta: 100 }], t).selected).toBe(n - 1);
    expect(run([{ type: 'select-at', index: -5 }], t).selected).toBe(0);
  });

  it('ignores selection and opening before the report is in', () => {
    expect(run([{ type: 'select', delta: 1 }, { type: 'open' }])).toEqual(initialState);
  });

  it('opens the selected finding, scrolls within bounds, goes back to the list with the selection kept', () => {
    let s = run([{ type: 'report', report: many }, { type: 'select', delta: 2 }, { type: 'open' }]);
    expect(s.view).toBe('detail');
    s = run([{ type: 'scroll', delta: 3, max: 10 }, { type: 'scroll', delta: 30, max: 10 }], s);
    expect(s.detailTop).toBe(10);
    s = run([{ type: 'scroll', delta: -Infinity, max: 10 }], s);
    expect(s.detailTop).toBe(0);
    // In the detail view the arrows scroll; they do not move the selection.
    expect(run([{ type: 'select', delta: 1 }], s).selected).toBe(2);
    s = run([{ type: 'scroll', delta: 4, max: 10 }, { type: 'back' }], s);
    expect(s).toMatchObject({ view: 'list', selected: 2, detailTop: 0 });
  });

  it('keeps one message line (the checklist was written, or why not)', () => {
    const s = run([{ type: 'message', text: 'Checklist written to /tmp/x.md', tone: 'ok' }]);
    expect(s.message).toEqual({ text: 'Checklist written to /tmp/x.md', tone: 'ok' });
  });
});

describe('quit status', () => {
  it('is the report status once it is in, 130 (interrupted) before, 2 when the diagnosis failed', () => {
    expect(quitStatus(initialState)).toBe(130);
    expect(quitStatus(reduce(initialState, { type: 'report', report: reject }))).toBe(1);
    expect(quitStatus(reduce(initialState, { type: 'report', report: healthy }))).toBe(0);
    expect(quitStatus(reduce(initialState, { type: 'failed', message: '--server x: no such host' }))).toBe(2);
  });
});
