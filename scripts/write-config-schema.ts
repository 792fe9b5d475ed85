/**
 * `npm run schema`: writes config/apps.schema.json from the zod schema of the apps configuration.
 * Commit the result; test/config/jsonSchema.test.ts fails when the committed file is stale.
 */
import fs from 'node:fs';
import path from 'node:path';
import { renderAppsConfigJsonSchema } from '../src/config/appsConfigJsonSchema';
import { defaultAppRoot } from '../src/config/settings';

const target = path.join(defaultAppRoot(), 'config', 'apps.schema.json');
fs.writeFileSync(target, renderAppsConfigJsonSchema());
console.log(`wrote ${path.relative(process.cwd(), target) || target}`);
