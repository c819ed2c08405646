/**
 * A path's requests other than those counted apart (src/observe/request-classes.ts counts mode 3 from source port
 * 123 and mode 1 apart): what source-port-blocked and symmetric-unanswered compare them with.
 */
import type { FrameSample, RequestClass, RequestClasses } from '../../src/model/observation.js';

/** Requests, replies and unanswered of a path that are in neither class: the path's totals minus the classes'. */
export function others(p: { requests: FrameSample; unanswered: FrameSample; replies: FrameSample; requestClasses?: RequestClasses }): { requests: number; unanswered: number; replies: number } {
  const a = p.requestClasses?.fromPort123;
  const b = p.requestClasses?.symmetric;
  const n = (c: RequestClass | undefined, k: 'requests' | 'unanswered' | 'replies') => c?.[k].count ?? 0;
  return {
    requests: p.requests.count - n(a, 'requests') - n(b, 'requests'),
    unanswered: p.unanswered.count - n(a, 'unanswered') - n(b, 'unanswered'),
    replies: p.replies.count - n(a, 'replies') - n(b, 'replies'),
  };
}
