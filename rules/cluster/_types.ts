/** What a cluster rule may import from the core: the rule shape and the finding parts. */
export { defineClusterRule } from '../../src/cluster/types.js';
export type { ClusterContext, ClusterHit, NodeRef, SyncEdge } from '../../src/cluster/types.js';
export type { Evidence, Finding } from '../../src/diagnose/types.js';
