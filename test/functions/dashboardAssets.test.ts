/**
 * How the Function app serves the built dashboard: only the files the build wrote, the page at
 * the folder's address, hashed assets cached for good, a strict Content-Security-Policy, and a
 * clear 503 when the bundle was never built.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { HttpRequest, type HttpResponseInit } from '@azure/functions';
import { createDashboardHandler } from '../../src/functions/dashboard';

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'hm-dashboard-assets-'));
  mkdirSync(path.join(dir, 'assets'));
  writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>Harbormaster</title>');
  writeFileSync(path.join(dir, 'assets', 'app-5X3KQ2ZB.js'), 'console.log(1)');
  writeFileSync(path.join(dir, 'assets', 'notes.md'), 'not a served kind of file');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function get(url: string, file?: string): Promise<HttpResponseInit> {
  const request = new HttpRequest({ method: 'GET', url, headers: {}, params: file ? { path: file } : {} });
  return createDashboardHandler(dir)(request);
}

const header = (response: HttpResponseInit, name: string) => (response.headers as Record<string, string>)[name];

describe('the dashboard files', () => {
  it('sends the folder address without its slash to the address with it, so relative asset URLs resolve', async () => {
    const response = await get('http://localhost/api/dashboard');
    expect(response.status).toBe(308);
    expect(header(response, 'location')).toBe('/api/dashboard/');
  });

  it('serves index.html at the folder, never cached, under a same-origin-only Content-Security-Policy', async () => {
    const response = await get('http://localhost/api/dashboard/');
    expect(response.status).toBe(200);
    expect(String(response.body)).toContain('<title>Harbormaster</title>');
    expect(header(response, 'content-type')).toBe('text/html; charset=utf-8');
    expect(header(response, 'cache-control')).toBe('no-cache');
    expect(header(response, 'content-security-policy')).toMatch(/default-src 'none'; script-src 'self'; style-src 'self';.*connect-src 'self'.*frame-ancestors 'none'/);
    expect(header(response, 'x-content-type-options')).toBe('nosniff');
  });

  it('caches a file named by its content hash for good', async () => {
    const response = await get('http://localhost/api/dashboard/assets/app-5X3KQ2ZB.js', 'assets/app-5X3KQ2ZB.js');
    expect(response.status).toBe(200);
    expect(header(response, 'content-type')).toBe('text/javascript; charset=utf-8');
    expect(header(response, 'cache-control')).toBe('public, max-age=31536000, immutable');
  });

  it.each([['assets/nothing.js'], ['../package.json'], ['assets/../../package.json'], ['assets/notes.md']])('answers 404 for %s: only built files of known kinds are served', async (file) => {
    const response = await get(`http://localhost/api/dashboard/${file}`, file);
    expect(response.status).toBe(404);
  });

  it('answers 503 saying how to build it when the bundle is missing', async () => {
    const request = new HttpRequest({ method: 'GET', url: 'http://localhost/api/dashboard/', headers: {}, params: {} });
    const response = await createDashboardHandler(path.join(dir, 'missing'))(request);
    expect(response.status).toBe(503);
    expect((response.jsonBody as { detail: string }).detail).toContain('npm run build');
  });
});
