import type { FirewallObservation } from '../../model/node.js';

/** What a firewall evaluator answers for one inbound NTP request: the observation's verdict fields. */
export type FirewallVerdict = Pick<FirewallObservation, 'verdict' | 'rejectWith' | 'decidedBy' | 'insertAt' | 'trace' | 'uncertain'>;
