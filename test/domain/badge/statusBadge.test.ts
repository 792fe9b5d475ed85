import { escapeXml, renderStatusBadge } from '../../../src/domain/badge/statusBadge';

describe('status badge SVG', () => {
  it('shows the app, its serving release and health, coloured by health', () => {
    const svg = renderStatusBadge({ label: 'sound-forge', release: '4.2.0', health: 'healthy' });
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg).toContain('>sound-forge</text>');
    expect(svg).toContain('>4.2.0 | healthy</text>');
    expect(svg).toContain('aria-label="sound-forge: 4.2.0 | healthy"');
    expect(svg).toContain('fill="#2e7d32"');
    expect(renderStatusBadge({ label: 'x', health: 'unhealthy' })).toContain('fill="#c62828"');
  });

  it('escapes every piece of text, so a name can never become markup', () => {
    const svg = renderStatusBadge({ label: '<script>alert("x")</script>', release: "a'&b", health: 'unknown' });
    expect(svg).not.toContain('<script>');
    expect(svg).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(svg).toContain('a&apos;&amp;b | unknown');
  });

  it('drops control characters (not allowed in XML) and bounds the length', () => {
    const svg = renderStatusBadge({ label: `a\u0000b\u001bc${'z'.repeat(100)}`, health: 'degraded' });
    expect(svg).not.toMatch(/[\u0000-\u001f]/);
    expect(svg).toContain('a b c');
    expect(svg).toContain('…');
  });

  it.each([['&', '&amp;'], ['<', '&lt;'], ['>', '&gt;'], ['"', '&quot;'], ["'", '&apos;'], ['plain', 'plain']])('escapeXml(%s) → %s', (text, escaped) => {
    expect(escapeXml(text)).toBe(escaped);
  });
});
