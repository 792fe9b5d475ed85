/**
 * The dashboard: the browser app that `npm run build` bundles from dashboard/ into
 * dist/dashboard/, served by the Function app itself, so there is no second service to deploy and
 * nothing is fetched from a CDN (it works offline and in a locked-down tenant).
 *
 *   GET /api/dashboard          → 308 to /api/dashboard/ (the page's asset URLs are relative)
 *   GET /api/dashboard/         → index.html
 *   GET /api/dashboard/{file}   → one of the files the build wrote; nothing else is ever read
 *
 * Anonymous: the files hold no data. Every figure the page shows comes from the JSON API, which
 * decides who may see and do what. A strict Content-Security-Policy allows scripts, styles and
 * requests from this origin only.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { app, type HttpRequest, type HttpResponseInit } from '@azure/functions';
import { problem } from './http/problem';

/** Where the build writes the bundle: dist/dashboard, next to dist/src. */
export const DASHBOARD_ASSET_DIR = path.resolve(__dirname, '..', '..', 'dashboard');

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
};

const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

interface Asset {
  bytes: Buffer;
  contentType: string;
  /** Named by content hash: safe to cache for good. */
  immutable: boolean;
}

/** Every file of the built dashboard by its path below the asset folder; read once. */
export function loadAssets(directory: string): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  const walk = (relative: string): void => {
    for (const entry of readdirSync(path.join(directory, relative))) {
      const file = path.posix.join(relative, entry);
      const full = path.join(directory, file);
      if (statSync(full).isDirectory()) {
        walk(file);
        continue;
      }
      const contentType = CONTENT_TYPES[path.extname(entry).toLowerCase()];
      if (!contentType) continue;
      assets.set(file, { bytes: readFileSync(full), contentType, immutable: /-[A-Z0-9]{8,}\.[a-z]+$/.test(entry) });
    }
  };
  walk('');
  return assets;
}

/** The handler over a folder of built files (tests give it their own). */
export function createDashboardHandler(directory: string): (request: HttpRequest) => Promise<HttpResponseInit> {
  let assets: Map<string, Asset> | undefined;
  return async (request): Promise<HttpResponseInit> => {
    const url = new URL(request.url);
    if (!url.pathname.endsWith('/') && !request.params.path) {
      return { status: 308, headers: { location: `${url.pathname}/${url.search}`, 'cache-control': 'no-cache' } };
    }
    try {
      assets ??= loadAssets(directory);
    } catch {
      return problem(503, 'Dashboard not built', 'the dashboard bundle is missing: run `npm run build`');
    }
    const wanted = request.params.path ? request.params.path : 'index.html';
    const asset = assets.get(wanted);
    if (!asset) return problem(404, 'Not found', 'no such dashboard file', 'path');
    return {
      status: 200,
      body: asset.bytes,
      headers: {
        ...SECURITY_HEADERS,
        'content-type': asset.contentType,
        'cache-control': asset.immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      },
    };
  };
}

export function registerDashboard(): void {
  app.http('dashboard', { route: 'dashboard/{*path}', methods: ['GET'], authLevel: 'anonymous', handler: createDashboardHandler(DASHBOARD_ASSET_DIR) });
}
