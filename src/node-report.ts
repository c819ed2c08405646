/**
 * The report for this node (configs, firewall, daemon state, probes of its servers): the node inspection's
 * `diagnoseNode` (src/inspect/diagnose.ts). The checklist and the TUI call it from here.
 */
export { diagnoseNode } from './inspect/diagnose.js';
