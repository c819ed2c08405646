/** What a firewall evaluator answers for one inbound NTP request. */
export interface FirewallVerdict {
  verdict: 'accept' | 'drop' | 'reject' | 'unknown';
  rejectWith?: string;
  decidedBy?: {
    text: string;
    family?: string;
    table?: string;
    chain?: string;
    handle?: number;
    position?: number;
    policy?: boolean;
  };
  insertAt?: { family?: string; table?: string; chain: string; beforeHandle?: number; position?: number };
  trace: string[];
  uncertain: string[];
}
