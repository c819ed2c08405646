/** Library entry: the pipeline stages for scripts and other tools. */
export { analyzeCaptures, observeCapture } from './run/capture-file.js';
export { readCapture } from './capture/read.js';
export { decodeFrame } from './decode/frame.js';
export { decodeNtp, encodeNtp, ntpEncodingLength } from './ntp/codec.js';
export { Correlator } from './correlate/correlator.js';
export { summarizePath } from './observe/path.js';
export { runRules } from './diagnose/engine.js';
export { buildReport, exitStatus } from './diagnose/report.js';
export { renderText } from './render/text.js';
export { renderJson } from './render/json.js';
export { renderChecklist } from './render/checklist.js';
export type * from './diagnose/types.js';
export type * from './model/observation.js';
export type * from './model/exchange.js';
