/**
 * `GET /api/me` → `{ "name": string, "roles": string[] }`: who the API takes the caller for.
 * The dashboard asks it once to know whom it shows and which actions to offer. Any
 * authenticated caller gets an answer, with no role at all too (so a page can say "signed in,
 * but no Harbormaster role"); nobody authenticated gets 401. `roles` holds Harbormaster's own
 * roles only, an operator's including Reader; a key's name is `key:<name>` with the roles of
 * its scope.
 */
import type { HttpResponseInit } from '@azure/functions';
import type { Caller } from '../domain/access';
import { registerApiRoute } from './http/apiRoute';
import { json } from './http/problem';

export interface MeBody {
  name: string;
  roles: string[];
}

export function describeCaller(caller: Caller): MeBody {
  return { name: caller.name, roles: [...caller.roles] };
}

export async function getMe(_request: unknown, _context: unknown, caller: Caller): Promise<HttpResponseInit> {
  return json(200, describeCaller(caller), { 'cache-control': 'no-store' });
}

export function registerMe(): void {
  registerApiRoute('getMe', { route: 'me', methods: ['GET'], access: 'any-caller', handler: getMe });
}
