/**
 * Reads what the Bicep grants and sets, from its text, so tests can compare it with the code:
 * - `extractRoleGrants`: every role assignment made through infra/modules/roles/*.bicep, as
 *   (role GUID, principal, target set, scope resource type);
 * - `findUncoveredOperations`: rows of src/adapters/azureOperations.ts no grant covers;
 * - `extractAppSettingNames`: the Function app's app settings.
 * All take the sources as text (a map like `loadBicepSources` returns) so a test can remove a
 * line in memory and show that the check notices.
 */
import * as path from 'node:path';
import { objectProperties, parseBicep, propertyObject } from '../../scripts/lint-bicep';
import { BUILT_IN_ROLES, type AzureOperation } from '../../src/adapters/azureOperations';

export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
export const INFRA_DIR = path.join(REPO_ROOT, 'infra');

export interface RoleGrant {
  /** Module symbol in main.bicep. */
  module: string;
  line: number;
  roleGuid: string;
  /** Root symbol of the principalId expression (e.g. `harbormasterIdentity`). */
  principal: string;
  /** The loop's collection param when it iterates over targets, else the root symbol of the target. */
  set: string;
  /** ARM type of the assignment's scope, or `resourceGroup`. */
  scopeType: string;
}

const ROLE_MODULE_PREFIX = 'modules/roles/';
const NON_TARGET_PARAMS = new Set(['principalId', 'roleDefinitionGuid', 'purpose']);

function identifiers(expression: string): string[] {
  // String literals hold no identifiers (interpolations aside, which role modules do not use).
  return expression.replace(/'[^']*'/g, "''").match(/[A-Za-z_][A-Za-z0-9_]*/g) ?? [];
}

/** The first identifier that is not a function being called (`last(split(x, '/'))` -> `x`). */
function rootSymbol(expression: string): string | undefined {
  const match = /([A-Za-z_][A-Za-z0-9_]*)(?!\s*[A-Za-z0-9_(])/.exec(expression.replace(/'[^']*'/g, "''"));
  return match?.[1];
}

function resolveRoleGuid(expression: string, vars: Map<string, string>): string | undefined {
  const literal = /^'([0-9a-fA-F-]{36})'$/.exec(expression.trim());
  if (literal) return literal[1].toLowerCase();
  const member = /^([A-Za-z_][A-Za-z0-9_]*)\.([A-Za-z_][A-Za-z0-9_]*)$/.exec(expression.trim());
  if (member) {
    const objectText = vars.get(member[1]);
    const value = objectText ? objectProperties(objectText).get(member[2]) : undefined;
    const guid = value ? /^'([0-9a-fA-F-]{36})'$/.exec(value) : null;
    return guid ? guid[1].toLowerCase() : undefined;
  }
  return undefined;
}

/** The role GUIDs an expression may take: one, or both branches of `condition ? a : b`. */
function resolveRoleGuids(expression: string, vars: Map<string, string>): string[] | undefined {
  const conditional = /^[^?]+\?\s*([^:?]+?)\s*:\s*([^:?]+)$/.exec(expression.trim());
  const branches = conditional ? [conditional[1], conditional[2]] : [expression];
  const guids = branches.map((branch) => resolveRoleGuid(branch, vars));
  return guids.every((g): g is string => g !== undefined) ? guids : undefined;
}

/** The ARM type a role module's assignment is scoped to. */
function scopeTypeOf(moduleText: string): string {
  const parsed = parseBicep(moduleText);
  const assignment = parsed.declarations.find((d) => d.kind === 'resource' && d.target === 'Microsoft.Authorization/roleAssignments');
  if (!assignment) throw new Error('role module without a roleAssignments resource');
  const scope = objectProperties(assignment.body).get('scope');
  if (scope === undefined) return 'resourceGroup';
  const scoped = parsed.declarations.find((d) => d.symbol === scope.trim());
  if (!scoped) throw new Error(`role module scopes its assignment to unknown symbol '${scope}'`);
  return scoped.target;
}

export function extractRoleGrants(files: ReadonlyMap<string, string>, mainFile = 'main.bicep'): RoleGrant[] {
  const mainText = files.get(mainFile);
  if (mainText === undefined) throw new Error(`${mainFile} missing`);
  const main = parseBicep(mainText);
  const vars = new Map(main.vars.map((v) => [v.name, v.value.slice(v.value.indexOf('{'), v.value.lastIndexOf('}') + 1)]));
  const grants: RoleGrant[] = [];
  // A var standing for a param (e.g. the segments of a resource id) names the param's set.
  const varValues = new Map(main.vars.map((v) => [v.name, v.value.replace(/^\s*var\s+[A-Za-z_][A-Za-z0-9_]*\s*=\s*/, '')]));
  const throughVars = (symbol: string | undefined): string | undefined => {
    let current = symbol;
    for (let depth = 0; current !== undefined && varValues.has(current) && depth < 4; depth++) current = rootSymbol(varValues.get(current) ?? '');
    return current;
  };
  for (const decl of main.declarations) {
    if (decl.kind !== 'module' || !decl.target.startsWith(ROLE_MODULE_PREFIX)) continue;
    const moduleText = files.get(path.posix.normalize(path.posix.join(path.posix.dirname(mainFile), decl.target)));
    if (moduleText === undefined) throw new Error(`role module ${decl.target} missing`);
    const params = objectProperties(propertyObject(decl.body, 'params') ?? '{}');
    const roleGuids = resolveRoleGuids(params.get('roleDefinitionGuid') ?? '', vars);
    const principal = rootSymbol(params.get('principalId') ?? '');
    if (!roleGuids || !principal) throw new Error(`module ${decl.symbol}: cannot read roleDefinitionGuid or principalId`);
    const targetExpressions = [...params.entries()].filter(([name]) => !NON_TARGET_PARAMS.has(name)).map(([, value]) => value);
    const scopeExpression = objectProperties(decl.body).get('scope');
    const loopVariable = decl.loop?.item;
    const usesLoopItem = (expression: string | undefined) =>
      expression !== undefined && loopVariable !== undefined && identifiers(expression).includes(loopVariable);
    let set: string | undefined;
    if (targetExpressions.length > 0) {
      // A named resource: the loop's collection when named per item, else the symbol naming it.
      set = decl.loop && targetExpressions.some(usesLoopItem) ? decl.loop.collection : throughVars(rootSymbol(targetExpressions[0]));
    } else if (scopeExpression !== undefined) {
      // A whole resource group: the collection it iterates over, or the expression naming it.
      set = usesLoopItem(scopeExpression) && decl.loop ? decl.loop.collection : throughVars(rootSymbol(scopeExpression));
    } else {
      set = 'deploymentResourceGroup';
    }
    if (!set) throw new Error(`module ${decl.symbol}: cannot tell what it targets`);
    for (const roleGuid of roleGuids) grants.push({ module: decl.symbol, line: decl.line, roleGuid, principal, set, scopeType: scopeTypeOf(moduleText) });
  }
  return grants;
}

export function grantCovers(grant: RoleGrant, operation: AzureOperation): boolean {
  if (grant.roleGuid !== BUILT_IN_ROLES[operation.role].id) return false;
  if (grant.principal !== operation.principal || grant.set !== operation.target.set) return false;
  if (grant.scopeType === 'resourceGroup') return true;
  const scope = grant.scopeType.toLowerCase();
  const target = operation.target.resourceType.toLowerCase();
  return target === scope || target.startsWith(`${scope}/`);
}

export interface UncoveredOperation {
  operation: AzureOperation;
  reason: string;
}

export function findUncoveredOperations(operations: readonly AzureOperation[], grants: readonly RoleGrant[]): UncoveredOperation[] {
  const uncovered: UncoveredOperation[] = [];
  for (const operation of operations) {
    if (grants.some((grant) => grantCovers(grant, operation))) continue;
    const sameRole = grants.filter((g) => g.roleGuid === BUILT_IN_ROLES[operation.role].id && g.principal === operation.principal);
    const reason =
      sameRole.length === 0
        ? `${operation.principal} is never granted ${operation.role}`
        : `${operation.principal} holds ${operation.role} only on ${sameRole.map((g) => `${g.set} (${g.scopeType})`).join(', ')}, not on ${operation.target.set} (${operation.target.resourceType})`;
    uncovered.push({ operation, reason });
  }
  return uncovered;
}

/** Names of the `{ name: 'X', value: ... }` entries in a Bicep file (app settings, env vars). */
export function extractAppSettingNames(bicepText: string): string[] {
  const names = new Set<string>();
  for (const match of bicepText.matchAll(/\{\s*name:\s*'([A-Za-z_][A-Za-z0-9_]*)'\s*[\n,]?\s*value:/g)) names.add(match[1]);
  return [...names];
}

/**
 * Settings infra/README.md documents as deliberately left unset: the table rows of its
 * "Settings the deployment leaves unset" section (first cell, in backticks).
 */
export function documentedUnsetSettings(readme: string): string[] {
  const start = readme.search(/^#+\s*Settings the deployment leaves unset/m);
  if (start === -1) return [];
  const rest = readme.slice(start);
  const bodyStart = rest.indexOf('\n') + 1;
  const nextHeading = rest.slice(bodyStart).search(/^#+\s/m);
  const section = nextHeading === -1 ? rest : rest.slice(0, bodyStart + nextHeading);
  return [...section.matchAll(/^\|\s*`([A-Za-z_][A-Za-z0-9_]*)`\s*\|/gm)].map((m) => m[1]);
}
