import fs from 'node:fs';
import path from 'node:path';
import { renderAppsConfigJsonSchema } from '../../src/config/appsConfigJsonSchema';
import { REPO_ROOT, exampleDocument } from './configFiles';

const committedPath = path.join(REPO_ROOT, 'config', 'apps.schema.json');

describe('config/apps.schema.json', () => {
  it('is what `npm run schema` generates now (run it and commit when this fails)', () => {
    expect(fs.readFileSync(committedPath, 'utf8')).toBe(renderAppsConfigJsonSchema());
  });

  it('describes every property, so editors explain each field', () => {
    const undocumented: string[] = [];
    const walk = (node: unknown, at: string): void => {
      if (!node || typeof node !== 'object') return;
      const n = node as { properties?: Record<string, unknown>; items?: unknown; oneOf?: unknown[] };
      for (const [key, child] of Object.entries(n.properties ?? {})) {
        if (!(child as { description?: string }).description) undocumented.push(`${at}.${key}`);
        walk(child, `${at}.${key}`);
      }
      walk(n.items, `${at}[]`);
      for (const option of n.oneOf ?? []) walk(option, at);
    };
    walk(JSON.parse(fs.readFileSync(committedPath, 'utf8')), '');
    expect(undocumented).toEqual([]);
  });

  it('is what the example points its editor at, and closes objects against typos', () => {
    expect(exampleDocument().$schema).toBe('./apps.schema.json');
    const schema = JSON.parse(fs.readFileSync(committedPath, 'utf8'));
    expect(schema.additionalProperties).toBe(false);
    expect(schema.properties.apps.items.additionalProperties).toBe(false);
    expect(schema.properties.apps.items.required).toEqual(['name', 'containerApp', 'image']);
  });
});
