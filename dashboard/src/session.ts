/**
 * Who is looking, from `GET /api/me` ({ name, roles }). `Harbormaster.Operator` acts,
 * `Harbormaster.Reader` only sees: a reader gets no action buttons (the API refuses them
 * anyway). An API without `/api/me` (404) authenticates by key alone: whoever holds the key
 * may act, so the dashboard shows the actions.
 */
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { api, ApiProblem } from './api';
import type { Me } from './types';

export const OPERATOR_ROLE = 'Harbormaster.Operator';
export const READER_ROLE = 'Harbormaster.Reader';

export interface Session {
  name?: string;
  roles: string[];
  canOperate: boolean;
}

export type SessionState = { kind: 'loading' } | { kind: 'sign-in' } | { kind: 'ready'; session: Session } | { kind: 'error'; message: string };

export async function loadSession(): Promise<SessionState> {
  try {
    const me = await api.get<Me>('me');
    const roles = Array.isArray(me.roles) ? me.roles : [];
    return { kind: 'ready', session: { name: me.name, roles, canOperate: roles.includes(OPERATOR_ROLE) } };
  } catch (error) {
    if (error instanceof ApiProblem && error.status === 404) return { kind: 'ready', session: { roles: [], canOperate: true } };
    if (error instanceof ApiProblem && error.status === 401) return { kind: 'sign-in' };
    return { kind: 'error', message: error instanceof Error ? error.message : String(error) };
  }
}

export const SessionContext = createContext<Session>({ roles: [], canOperate: false });

export function useSession(): Session {
  return useContext(SessionContext);
}
