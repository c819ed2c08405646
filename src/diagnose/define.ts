import type { Rule } from './types.js';

/** Identity helper so rule files get full type checking (ESLint's `module.exports = { meta, create }` shape). */
export function defineRule(rule: Rule): Rule {
  return rule;
}
