// After `tsc`: removes the compiled files whose TypeScript source no longer exists. tsc builds
// incrementally into dist/ and never deletes, so a suite deleted or renamed in the source stays in
// dist/test as compiled JavaScript, and jest (which runs dist/test) would keep running it. A
// compiled file's source map names its source; files without one (the dashboard's bundle) are
// left alone.
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
const removed = [];

function walk(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(full);
    else if (entry.name.endsWith('.js.map')) pruneIfOrphan(full);
  }
}

function pruneIfOrphan(mapPath) {
  let sources;
  try {
    sources = JSON.parse(readFileSync(mapPath, 'utf8')).sources;
  } catch {
    return;
  }
  if (!Array.isArray(sources) || sources.length !== 1) return;
  const source = path.resolve(path.dirname(mapPath), sources[0]);
  if (!source.startsWith(root + path.sep) || existsSync(source)) return;
  const js = mapPath.slice(0, -'.map'.length);
  for (const file of [js, mapPath, js.replace(/\.js$/, '.d.ts')]) rmSync(file, { force: true });
  removed.push(path.relative(root, js));
}

if (existsSync(dist)) walk(dist);
if (removed.length > 0) process.stdout.write(`prune-dist: removed ${removed.length} compiled file(s) whose source is gone: ${removed.join(', ')}\n`);
