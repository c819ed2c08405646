/**
 * The TUI's state and the one reducer that changes it: steps as the diagnosis reports them, the live capture
 * pane, the report, the selection in the findings list, the detail view's scroll, and one message line.
 * Pure data in, data out; tested without rendering (test/ui/state.test.ts).
 * Every string that enters the state from outside (report, steps, exchanges, errors, messages) is escaped
 * here (src/render/terminal.ts), so the views measure and paint text that can no longer talk to the terminal.
 */
import type { NtpExchange } from '../model/exchange.js';
import type { NtsKeSessionUpdate } from '../model/nts-wire.js';
import { keOutcomeText, keServerText } from '../render/nts-ke-live.js';
import { exitStatus } from '../diagnose/report.js';
import type { Report } from '../diagnose/types.js';
import type { DiagnoseStep } from '../run/progress.js';
import { escapeControls, escapeDeep } from '../render/terminal.js';

export interface StepState extends DiagnoseStep {
  /** When it was first reported running (ms, the app's clock). */
  startedAt: number;
  endedAt?: number;
}

/** One exchange as the live pane lists it. */
export interface ExchangeRow {
  /** Request time, seconds since the Unix epoch. */
  at: number;
  client: string;
  server: string;
  /** 'reply s10', 'reply s16 leap 3', 'ICMP 3/10', 'no reply'. */
  outcome: string;
  ok: boolean;
  offset?: number;
  delay?: number;
}

/** One server's offsets in the live pane: its own sparkline (two servers never share a line). */
export interface ServerTrace {
  server: string;
  /** Offsets of its latest exchanges, undefined where an exchange had none (at most PANE_OFFSETS_KEPT). */
  offsets: Array<number | undefined>;
  total: number;
}

/** One NTS-KE session as the live pane lists it (updated in place as it gains tries or changes outcome). */
export interface KeRow {
  client: string;
  /** 'server:port', an IPv6 server in brackets. */
  server: string;
  /** 'refused (RST from server)', 'ICMP 3/13', 'key exchange completed'. */
  outcome: string;
  ok: boolean;
  tries: number;
}

export interface CapturePane {
  label: string;
  /** The latest exchanges (at most PANE_ROWS_KEPT). */
  rows: ExchangeRow[];
  /** Offsets of the latest exchanges in order, undefined where an exchange had none (at most PANE_OFFSETS_KEPT). */
  offsets: Array<number | undefined>;
  /** Exchanges seen in all. */
  total: number;
  replies: number;
  /** Per server, in order of first exchange: at most PANE_SERVERS; exchanges with the others are counted in `otherExchanges`. */
  servers?: ServerTrace[];
  otherExchanges?: number;
  /** NTS-KE sessions (TCP 4460) in order of first try: at most PANE_KE_KEPT; the others counted in `otherKe`. */
  ke?: KeRow[];
  /** The sessions past PANE_KE_KEPT ('client server'), at most MAX_OTHER_KE: counted, not shown. */
  otherKe?: string[];
}

export const PANE_ROWS_KEPT = 50;
export const PANE_OFFSETS_KEPT = 200;
/** Servers with a sparkline of their own in the live pane. */
export const PANE_SERVERS = 8;
/** NTS-KE sessions the live pane keeps a row for. */
export const PANE_KE_KEPT = 8;
/** Sessions past those counted one by one (the capture's tracker follows at most 1024 connections anyway). */
export const MAX_OTHER_KE = 1024;

export type View = 'list' | 'detail';

export interface UiState {
  steps: StepState[];
  /** Ids of finished steps, in the order they finished: what goes into <Static>, never reordered. */
  finished: string[];
  capture?: CapturePane;
  report?: Report;
  /** The CLI's exit status for the report (docs/architecture.md, "Report and exit status": 0, or 1 with findings at warning or worse). */
  exitStatus?: number;
  /** The diagnosis itself failed. */
  error?: string;
  view: View;
  selected: number;
  /** First body line shown in the detail view. */
  detailTop: number;
  message?: { text: string; tone: 'ok' | 'error' };
  /** The key help overlay (`?`) is shown. */
  help?: boolean;
  /** `w` found the checklist file there already: y overwrites it, any other key keeps it. */
  confirm?: { path: string };
}

export type Action =
  | { type: 'step'; step: DiagnoseStep; at: number }
  | { type: 'exchange'; exchange: NtpExchange }
  | { type: 'ke-session'; session: NtsKeSessionUpdate }
  | { type: 'report'; report: Report }
  | { type: 'failed'; message: string }
  | { type: 'select'; delta: number }
  | { type: 'select-at'; index: number }
  | { type: 'open' }
  | { type: 'back' }
  /** Detail view: move by `delta` lines, never past `max` (the last top line that still fills the view). */
  | { type: 'scroll'; delta: number; max: number }
  | { type: 'message'; text: string; tone: 'ok' | 'error' }
  | { type: 'help'; show: boolean }
  /** Ask before overwriting `path` (undefined: the question is answered or withdrawn). */
  | { type: 'confirm'; path: string | undefined; refused?: boolean };

export const initialState: UiState = { steps: [], finished: [], view: 'list', selected: 0, detailTop: 0 };

const clamp = (v: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, v));

/** What the live pane shows for an exchange. */
export function exchangeRow(x: NtpExchange): ExchangeRow {
  let outcome: string;
  if (x.outcome === 'reply' && x.reply) {
    outcome = `reply s${x.reply.stratum}${x.reply.leap === 3 ? ' leap 3' : ''}${x.reply.stratum === 0 ? ` ${escapeControls(x.reply.refidText)}` : ''}`;
  } else if (x.outcome === 'icmp' && x.icmp) {
    outcome = `ICMP${x.icmp.version === 6 ? 'v6' : ''} ${x.icmp.type}/${x.icmp.code}`;
  } else {
    outcome = 'no reply';
  }
  const row: ExchangeRow = {
    at: x.requestTime,
    client: escapeControls(x.client.ip),
    server: escapeControls(x.server.ip),
    outcome,
    ok: x.outcome === 'reply' && x.reply !== undefined && x.reply.stratum > 0 && x.reply.stratum < 16 && x.reply.leap !== 3,
  };
  if (x.offset !== undefined) row.offset = x.offset;
  if (x.delay !== undefined) row.delay = x.delay;
  return row;
}

function addExchange(pane: CapturePane | undefined, x: NtpExchange): CapturePane {
  const base: CapturePane = pane ?? { label: 'Capture', rows: [], offsets: [], total: 0, replies: 0 };
  const row = exchangeRow(x);
  return {
    ...base,
    rows: [...base.rows, row].slice(-PANE_ROWS_KEPT),
    offsets: [...base.offsets, row.offset].slice(-PANE_OFFSETS_KEPT),
    total: base.total + 1,
    replies: base.replies + (x.outcome === 'reply' ? 1 : 0),
    ...addToServer(base, row),
  };
}

/** The exchange's offset appended to its own server's trace (a new trace while fewer than PANE_SERVERS exist). */
function addToServer(base: CapturePane, row: ExchangeRow): Pick<CapturePane, 'servers' | 'otherExchanges'> {
  const servers = base.servers ?? [];
  const others = base.otherExchanges ?? 0;
  const i = servers.findIndex((s) => s.server === row.server);
  if (i < 0) {
    if (servers.length >= PANE_SERVERS) return { servers, otherExchanges: others + 1 };
    return { servers: [...servers, { server: row.server, offsets: [row.offset], total: 1 }], otherExchanges: others };
  }
  const s = servers[i]!;
  const next: ServerTrace = { server: s.server, offsets: [...s.offsets, row.offset].slice(-PANE_OFFSETS_KEPT), total: s.total + 1 };
  return { servers: servers.map((t, j) => (j === i ? next : t)), otherExchanges: others };
}

/** The session's row replaced in place, or added while fewer than PANE_KE_KEPT are kept (else counted once). */
function addKeSession(pane: CapturePane | undefined, u: NtsKeSessionUpdate): CapturePane {
  const base: CapturePane = pane ?? { label: 'Capture', rows: [], offsets: [], total: 0, replies: 0 };
  const { text, ok } = keOutcomeText(u);
  const row: KeRow = { client: escapeControls(u.client), server: escapeControls(keServerText(u)), outcome: escapeControls(text), ok, tries: u.connections };
  const rows = base.ke ?? [];
  const i = rows.findIndex((r) => r.client === row.client && r.server === row.server);
  if (i >= 0) return { ...base, ke: rows.map((r, j) => (j === i ? row : r)) };
  if (rows.length < PANE_KE_KEPT) return { ...base, ke: [...rows, row] };
  // Past the kept ones: counted once each (a session's later updates are not new sessions).
  const key = `${row.client} ${row.server}`;
  const others = base.otherKe ?? [];
  if (others.includes(key) || others.length >= MAX_OTHER_KE) return base;
  return { ...base, otherKe: [...others, key] };
}

function updateStep(state: UiState, step: DiagnoseStep, at: number): UiState {
  const i = state.steps.findIndex((s) => s.id === step.id);
  const prev = state.steps[i];
  // A finished step stays finished: <Static> has printed it already.
  if (prev && prev.status !== 'running') return state;
  const next: StepState = { ...step, startedAt: prev?.startedAt ?? at };
  const finishing = step.status !== 'running';
  if (finishing) next.endedAt = at;
  const steps = i < 0 ? [...state.steps, next] : state.steps.map((s, j) => (j === i ? next : s));
  let capture = state.capture;
  if (step.id === 'capture' && !capture) capture = { label: step.label, rows: [], offsets: [], total: 0, replies: 0 };
  const out: UiState = { ...state, steps, finished: finishing ? [...state.finished, step.id] : state.finished };
  if (capture) out.capture = capture;
  return out;
}

export function reduce(state: UiState, action: Action): UiState {
  switch (action.type) {
    case 'step':
      return updateStep(state, escapeDeep(action.step), action.at);
    case 'exchange':
      return { ...state, capture: addExchange(state.capture, action.exchange) };
    case 'ke-session':
      return { ...state, capture: addKeSession(state.capture, action.session) };
    case 'report':
      return { ...state, report: escapeDeep(action.report), exitStatus: exitStatus(action.report), view: 'list', selected: 0, detailTop: 0 };
    case 'failed':
      return { ...state, error: escapeControls(action.message) };
    case 'select': {
      const n = state.report?.findings.length ?? 0;
      if (!state.report || state.view !== 'list' || n === 0) return state;
      return { ...state, selected: clamp(state.selected + action.delta, 0, n - 1) };
    }
    case 'select-at': {
      const n = state.report?.findings.length ?? 0;
      if (!state.report || n === 0) return state;
      return { ...state, selected: clamp(action.index, 0, n - 1) };
    }
    case 'open':
      if (!state.report || state.view !== 'list' || !state.report.findings[state.selected]) return state;
      return { ...state, view: 'detail', detailTop: 0 };
    case 'back':
      if (state.view !== 'detail') return state;
      return { ...state, view: 'list', detailTop: 0 };
    case 'scroll':
      if (state.view !== 'detail') return state;
      return { ...state, detailTop: clamp(state.detailTop + action.delta, 0, Math.max(0, action.max)) };
    case 'message':
      return { ...state, message: { text: escapeControls(action.text), tone: action.tone } };
    case 'help':
      return { ...state, help: action.show };
    case 'confirm': {
      if (action.path !== undefined) return { ...state, confirm: { path: escapeControls(action.path) } };
      const { confirm: answered, ...rest } = state;
      // Withdrawn (the write goes ahead) or refused: a refusal says the file was left alone.
      return answered && action.refused ? { ...rest, message: { text: `Not written: ${answered.path} left as it was`, tone: 'ok' } } : rest;
    }
  }
}

/** The finding the list points at, if the report is in. */
export function selectedFinding(state: UiState) {
  return state.report?.findings[state.selected];
}

/** Exit status when the user quits: the report's (0/1); before the report, 130 as for Ctrl-C (the diagnosis was interrupted). */
export function quitStatus(state: UiState): number {
  if (state.error !== undefined) return 2;
  return state.exitStatus ?? 130;
}
