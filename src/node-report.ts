import { InputError } from './errors.js';
import type { Report } from './diagnose/types.js';

/**
 * The report for this node (configs, firewall, daemon state, probes of its servers). Filled in by the node
 * inspection (src/inspect/); the checklist and the TUI call it.
 */
export async function diagnoseNode(_options: { servers?: string[]; configs?: string[] }): Promise<Report> {
  throw new InputError('node diagnosis is not available in this build; give a capture: ntpdoctor checklist FILE');
}
