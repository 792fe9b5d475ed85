import { verifySharedSecret } from '../../../src/domain/push';

describe('verifySharedSecret', () => {
  it.each([
    ['the same secret', 's3cret-value', 's3cret-value', true],
    ['the same non-ASCII secret', 'clé-ü-秘密', 'clé-ü-秘密', true],
    ['a different secret of the same length', 's3cret-valuf', 's3cret-value', false],
    ['a prefix of the secret', 's3cret', 's3cret-value', false],
    ['the secret plus more', 's3cret-value-and-more', 's3cret-value', false],
    ['a different case', 'S3CRET-VALUE', 's3cret-value', false],
    ['nothing presented', undefined, 's3cret-value', false],
    ['an empty string presented', '', 's3cret-value', false],
    ['no secret configured, empty presented', '', '', false],
    ['no secret configured, something presented', 'anything', '', false],
  ])('%s → %s', (_case, presented, expected, result) => {
    expect(verifySharedSecret(presented, expected)).toBe(result);
  });

  it('compares secrets of any lengths without throwing (timingSafeEqual needs equal lengths; hashing gives them)', () => {
    expect(() => verifySharedSecret('x'.repeat(100_000), 'short')).not.toThrow();
  });
});
