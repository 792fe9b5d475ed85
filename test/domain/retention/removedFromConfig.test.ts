/** When the records of an app or database that left the configuration may go: only after it has been gone for the whole retention. */
import { decideAbsences } from '../../../src/domain/retention';

const OLDER_THAN = new Date('2026-03-01T00:00:00Z');

describe('decideAbsences', () => {
  it.each([
    ['a configured name is never noted', ['web'], ['web'], {}, { note: [], unnote: [], forget: [] }],
    ['a name newly missing is noted, nothing goes', ['web', 'old'], ['web'], {}, { note: ['old'], unnote: [], forget: [] }],
    ['a name missing for less than the retention is kept', ['old'], [], { old: '2026-03-01T00:00:01Z' }, { note: [], unnote: [], forget: [] }],
    ['a name missing for the retention goes', ['old'], [], { old: '2026-03-01T00:00:00Z' }, { note: [], unnote: [], forget: ['old'] }],
    ['a name configured again loses its note, whatever its age', ['old'], ['old'], { old: '2025-01-01T00:00:00Z' }, { note: [], unnote: ['old'], forget: [] }],
    ['a note of a name with no records left is dropped', [], [], { old: '2025-01-01T00:00:00Z' }, { note: [], unnote: ['old'], forget: [] }],
  ])('%s', (_rule, withRecords, configured, absentSince, expected) => {
    expect(decideAbsences({ withRecords, configured: new Set(configured), absentSince: new Map(Object.entries(absentSince)), olderThan: OLDER_THAN })).toEqual(expected);
  });
});
