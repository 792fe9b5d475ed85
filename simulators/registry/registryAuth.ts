/**
 * ACR's token flow: an Entra access token is exchanged for an ACR refresh token
 * (`POST /oauth2/exchange`, form `grant_type=access_token&service&access_token`), which is exchanged for
 * a scoped access token (`POST` or `GET /oauth2/token`, `grant_type=refresh_token&service&scope&refresh_token`).
 * Registry calls without a valid access token get 401 with
 * `WWW-Authenticate: Bearer realm="<origin>/oauth2/token",service="<login server>"[,scope="repository:<repo>:pull"]`.
 * Tokens are JWT-shaped (the SDK reads `exp` from the refresh token), signed with a per-process key.
 */
import { createHmac, randomBytes, randomUUID } from 'node:crypto';

const SIGNING_KEY = randomBytes(32);
const REFRESH_LIFETIME_S = 3 * 60 * 60;
const ACCESS_LIFETIME_S = 75 * 60;

interface TokenClaims {
  readonly kind: 'refresh' | 'access';
  readonly service: string;
  readonly scope?: string;
  readonly exp: number;
  readonly jti: string;
}

function base64url(value: Buffer | string): string {
  return Buffer.from(value).toString('base64url');
}

function sign(claims: TokenClaims): string {
  const header = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const payload = base64url(JSON.stringify({ ...claims, iss: 'Azure Container Registry', aud: claims.service }));
  const signature = createHmac('sha256', SIGNING_KEY).update(`${header}.${payload}`).digest('base64url');
  return `${header}.${payload}.${signature}`;
}

export function verifyToken(token: string, kind: TokenClaims['kind'], service: string): TokenClaims | undefined {
  const [header, payload, signature] = token.split('.');
  if (!header || !payload || !signature) return undefined;
  const expected = createHmac('sha256', SIGNING_KEY).update(`${header}.${payload}`).digest('base64url');
  if (expected !== signature) return undefined;
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as TokenClaims;
  if (claims.kind !== kind || claims.service.toLowerCase() !== service.toLowerCase() || claims.exp * 1000 < Date.now()) return undefined;
  return claims;
}

export function issueRefreshToken(service: string): string {
  return sign({ kind: 'refresh', service, exp: Math.floor(Date.now() / 1000) + REFRESH_LIFETIME_S, jti: randomUUID() });
}

export function issueAccessToken(service: string, scope: string): string {
  return sign({ kind: 'access', service, scope, exp: Math.floor(Date.now() / 1000) + ACCESS_LIFETIME_S, jti: randomUUID() });
}

/** Whether an access token's scope (`repository:<repo>:<actions>`, space-separated) covers reading `repository`. */
export function scopeAllows(scope: string | undefined, repository: string | undefined): boolean {
  if (repository === undefined) return true;
  return (scope ?? '').split(' ').some((entry) => {
    const [type, name, actions = ''] = entry.split(':');
    if (type === 'registry' && name === 'catalog') return true;
    return type === 'repository' && (name === repository || name === '*') && /(^|,)(pull|metadata_read|\*)(,|$)/.test(actions);
  });
}

export function challengeHeader(realm: string, service: string, scope?: string): string {
  return `Bearer realm="${realm}",service="${service}"${scope ? `,scope="${scope}"` : ''}`;
}
