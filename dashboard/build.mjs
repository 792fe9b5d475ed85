// Bundles the dashboard (dashboard/src → dist/dashboard) with esbuild: one script and one
// stylesheet named by their content hash, and index.html naming them. Part of `npm run build`,
// after the type-check (`tsc -p dashboard`); src/functions/dashboard.ts serves the result.
// Everything the page needs is in the bundle: nothing is fetched from a CDN at run time.
import { build } from 'esbuild';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const outdir = path.join(root, 'dist', 'dashboard');

rmSync(outdir, { recursive: true, force: true });
mkdirSync(outdir, { recursive: true });
const result = await build({
  absWorkingDir: root,
  entryPoints: { app: path.join(here, 'src', 'main.tsx') },
  outdir: path.join(outdir, 'assets'),
  entryNames: '[name]-[hash]',
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['es2022'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  tsconfig: path.join(here, 'tsconfig.json'),
  metafile: true,
  legalComments: 'eof',
  logLevel: 'warning',
});

const outputs = Object.entries(result.metafile.outputs);
const script = outputs.find(([file, output]) => file.endsWith('.js') && output.entryPoint)?.[0];
const style = outputs.find(([file]) => file.endsWith('.css'))?.[0];
if (!script || !style) throw new Error('dashboard build: esbuild wrote no script or no stylesheet');
const relative = (file) => path.relative(outdir, path.resolve(root, file)).split(path.sep).join('/');

const html = readFileSync(path.join(here, 'index.html'), 'utf8').replace('%SCRIPT%', relative(script)).replace('%STYLE%', relative(style));
writeFileSync(path.join(outdir, 'index.html'), html);
