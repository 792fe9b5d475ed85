/**
 * Who may do what. Two app roles, as the Entra ID app registration defines them:
 * `Harbormaster.Reader` sees, `Harbormaster.Operator` acts (and sees). An API key carries
 * one of two scopes that mean the same: `read` or `operate`.
 */

export const READER_ROLE = 'Harbormaster.Reader';
export const OPERATOR_ROLE = 'Harbormaster.Operator';

export type HarbormasterRole = typeof READER_ROLE | typeof OPERATOR_ROLE;

/** What a route needs: `read` for what only looks, `operate` for what changes anything. */
export type Access = 'read' | 'operate';

/** The scope of an API key. */
export type KeyScope = Access;

/**
 * The Harbormaster roles a caller holds, from whatever roles its token carried: other
 * applications' roles are dropped, and an operator is a reader too.
 */
export function effectiveRoles(claimed: Iterable<string>): HarbormasterRole[] {
  const held = new Set(claimed);
  if (held.has(OPERATOR_ROLE)) return [READER_ROLE, OPERATOR_ROLE];
  if (held.has(READER_ROLE)) return [READER_ROLE];
  return [];
}

export function rolesOfScope(scope: KeyScope): HarbormasterRole[] {
  return scope === 'operate' ? [READER_ROLE, OPERATOR_ROLE] : [READER_ROLE];
}

export function permits(roles: readonly HarbormasterRole[], access: Access): boolean {
  return roles.includes(access === 'operate' ? OPERATOR_ROLE : READER_ROLE);
}

/** Safe methods only look; every other method is an action. */
export function accessOfMethod(method: string): Access {
  return ['GET', 'HEAD', 'OPTIONS'].includes(method.toUpperCase()) ? 'read' : 'operate';
}
