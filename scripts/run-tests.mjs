// Runs jest on the compiled tests with source maps, forwarding any extra arguments.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const jestBin = require.resolve('jest/bin/jest');
const result = spawnSync(process.execPath, ['--enable-source-maps', jestBin, ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(result.status ?? 1);
