/**
 * RFC 9457 problem responses. Bad input gets a 4xx naming the field; internal errors get a
 * 500 with no detail (the detail goes to the log, never to the caller).
 */
import type { HttpResponseInit } from '@azure/functions';

export function problem(status: number, title: string, detail?: string, field?: string): HttpResponseInit {
  return {
    status,
    headers: { 'content-type': 'application/problem+json' },
    jsonBody: { type: 'about:blank', title, status, ...(detail ? { detail } : {}), ...(field ? { field } : {}) },
  };
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): HttpResponseInit {
  return { status, jsonBody: body, headers };
}
