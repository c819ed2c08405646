/**
 * Where a finding's `help` points: the rule's page, docs/rules/<id>.md. With a GitHub `repository` in
 * package.json the link is absolute (`https://github.com/OWNER/REPO/blob/HEAD/docs/rules/<id>.md`, which GitHub
 * resolves to the default branch), so it opens from a CI log or a SARIF viewer; without one it is the path
 * inside the package, where `ntpdoctor explain <id>` reads the same page.
 */
import pkg from '../../package.json';

export const RULE_DOCS_DIR = 'docs/rules';

/** `docs/rules/<id>.md`: the page's path inside the repository and the installed package. */
export function rulePagePath(id: string): string {
  return `${RULE_DOCS_DIR}/${id}.md`;
}

type Repository = string | { type?: string; url?: string; directory?: string } | undefined;

/**
 * The repository's web address from package.json's `repository` (npm's forms: `github:o/r`, `o/r`,
 * `git+https://github.com/o/r.git`, `git@github.com:o/r.git`, `{ url, directory }`), or undefined when it is
 * absent or not a GitHub repository (other hosts spell their file URLs differently: a relative path is better
 * than a wrong link).
 */
export function repositoryWebUrl(repository: Repository): { base: string; directory: string } | undefined {
  const raw = typeof repository === 'string' ? repository : repository?.url;
  if (typeof raw !== 'string') return undefined;
  const directory = typeof repository === 'object' && typeof repository.directory === 'string' ? repository.directory.replace(/^\/+|\/+$/g, '') : '';
  let m = /^(?:github:)?([A-Za-z0-9-]+)\/([A-Za-z0-9._-]+?)(?:\.git)?$/.exec(raw);
  m ??= /^(?:git\+)?(?:https?|git|ssh):\/\/(?:[^@/]+@)?github\.com[/:]([A-Za-z0-9-]+)\/([A-Za-z0-9._-]+?)(?:\.git)?\/?$/.exec(raw);
  m ??= /^git@github\.com:([A-Za-z0-9-]+)\/([A-Za-z0-9._-]+?)(?:\.git)?$/.exec(raw);
  if (!m) return undefined;
  return { base: `https://github.com/${m[1]}/${m[2]}`, directory };
}

/** The help link of a rule, given the package's `repository` field. */
export function helpLink(id: string, repository: Repository): string {
  const web = repositoryWebUrl(repository);
  if (!web) return rulePagePath(id);
  return `${web.base}/blob/HEAD/${web.directory ? `${web.directory}/` : ''}${rulePagePath(id)}`;
}

const REPOSITORY = (pkg as { repository?: Repository }).repository;

/** The help link of a rule for this package: what every finding's `help` carries. */
export function ruleHelp(id: string): string {
  return helpLink(id, REPOSITORY);
}

/** This package's version (package.json), for SARIF's tool.driver.version. */
export const PACKAGE_VERSION: string = typeof (pkg as { version?: unknown }).version === 'string' ? (pkg as { version: string }).version : '0.0.0';

/** The repository's web address, when package.json names a GitHub one. */
export function repositoryUrl(): string | undefined {
  return repositoryWebUrl(REPOSITORY)?.base;
}
