/**
 * Calls to the JSON API, same origin, with the browser's credentials: a signed-in principal
 * (App Service authentication's cookie) or, where there is none, a function key the person gave
 * this tab. Errors are the API's problem bodies; a 401 from any call asks for sign-in.
 */

/** Where a key given on the sign-in screen is kept: this tab only, gone when it closes. */
const KEY_STORAGE = 'harbormaster.functionKey';

export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail?: string,
    readonly field?: string,
  ) {
    super(detail ? `${title}: ${detail}` : title);
  }
}

const unauthorizedListeners = new Set<() => void>();

/** Called whenever the API answers 401 (the sign-in screen listens). */
export function onUnauthorized(listener: () => void): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

export function setFunctionKey(key: string | undefined): void {
  if (key) sessionStorage.setItem(KEY_STORAGE, key);
  else sessionStorage.removeItem(KEY_STORAGE);
}

export function hasFunctionKey(): boolean {
  return sessionStorage.getItem(KEY_STORAGE) !== null;
}

/** The page is served at <prefix>/dashboard/; the API is its sibling, <prefix>/<route>. */
export function apiUrl(route: string): string {
  return new URL(`../${route.replace(/^\//, '')}`, document.baseURI).toString();
}

async function call<T>(method: 'GET' | 'POST', route: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  const key = sessionStorage.getItem(KEY_STORAGE);
  if (key) headers['x-functions-key'] = key;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(apiUrl(route), {
    method,
    headers,
    credentials: 'same-origin',
    cache: 'no-store',
    body: body === undefined ? undefined : JSON.stringify(body),
    signal,
  });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!response.ok) {
    const problem = (parsed ?? {}) as { title?: string; detail?: string; field?: string };
    if (response.status === 401) unauthorizedListeners.forEach((listener) => listener());
    throw new ApiProblem(response.status, problem.title ?? response.statusText ?? 'Request failed', problem.detail, problem.field);
  }
  return parsed as T;
}

export const api = {
  get: <T>(route: string, signal?: AbortSignal): Promise<T> => call<T>('GET', route, undefined, signal),
  post: <T>(route: string, body: unknown = {}): Promise<T> => call<T>('POST', route, body),
};

/** A query string from the defined values only. */
export function query(values: Record<string, string | number | boolean | undefined>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(values)) if (value !== undefined && value !== '') params.set(name, String(value));
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** What went wrong, in words, for any error an API call can throw. */
export function describeError(error: unknown): string {
  if (error instanceof ApiProblem) {
    if (error.status === 403) return `Not allowed: ${error.detail ?? 'your role cannot do this (Harbormaster.Operator acts, Harbormaster.Reader only sees)'}`;
    return error.message;
  }
  if (error instanceof Error) return error.message;
  return String(error);
}
