/**
 * The cluster rules (issue 16), handed by `ntpdoctor cluster` to src/cluster/judge.ts. They live apart from the
 * node rules (rules/*.ts) because they read a different context — many nodes' reports and the sync graph
 * between them, not one node's observations — and test/rules/meta.test.ts keeps rules/ to node rules.
 */
import type { ClusterRule } from '../../src/cluster/types.js';
import mixedSmear from './mixed-smear.js';
import offsetOutlier from './offset-outlier.js';
import serverUnsynchronizedCascade from './server-unsynchronized-cascade.js';
import sharedUpstreamDown from './shared-upstream-down.js';
import syncLoop from './sync-loop.js';

export const clusterRules: ClusterRule[] = [sharedUpstreamDown, syncLoop, serverUnsynchronizedCascade, offsetOutlier, mixedSmear];
