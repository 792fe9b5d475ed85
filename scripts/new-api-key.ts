/**
 * `npm run api-key -- <name> <read|operate>`: makes a new API key. Prints the key (give it to the
 * script or pipeline that will use it, once; Harbormaster never stores it) and the entry for
 * HARBORMASTER_API_KEYS (name, scope and the key's SHA-256), which is all the app keeps.
 */
import { hashApiKey, newApiKey } from '../src/domain/access';

const NAME = /^[a-z0-9][a-z0-9-]{0,39}$/;

function main(argv: readonly string[]): number {
  const [name, scope] = argv;
  if (!name || !NAME.test(name) || (scope !== 'read' && scope !== 'operate')) {
    process.stderr.write('usage: npm run api-key -- <name: 1-40 lowercase letters, digits, hyphens> <read|operate>\n');
    return 2;
  }
  const key = newApiKey();
  process.stdout.write(
    [
      `key (send as x-functions-key; shown once):  ${key}`,
      `HARBORMASTER_API_KEYS entry (append with a comma):  ${name}:${scope}:${hashApiKey(key)}`,
      '',
    ].join('\n'),
  );
  return 0;
}

process.exitCode = main(process.argv.slice(2));
