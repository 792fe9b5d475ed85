/**
 * A status badge (the shields.io look: a grey label, a coloured value) as SVG text. Pure: what it
 * shows comes in, the markup goes out. Every piece of text is escaped for XML, so an app name
 * or a tag can never become markup.
 */

export type BadgeHealth = 'healthy' | 'degraded' | 'unhealthy' | 'unknown';

export interface BadgeInput {
  /** Left side, e.g. the app's name. */
  label: string;
  /** The serving release (tag, else short digest), if any is known. */
  release?: string;
  health: BadgeHealth;
}

const COLOURS: Record<BadgeHealth, string> = {
  healthy: '#2e7d32',
  degraded: '#8a6d00',
  unhealthy: '#c62828',
  unknown: '#616161',
};

/** Roughly Verdana 11 px: wide enough for the text without measuring fonts. */
const CHAR_WIDTH = 7;
const PADDING = 10;
const MAX_TEXT = 60;

export function renderStatusBadge(input: BadgeInput): string {
  const label = clip(input.label);
  const value = clip(input.release ? `${input.release} | ${input.health}` : input.health);
  const left = label.length * CHAR_WIDTH + PADDING * 2;
  const right = value.length * CHAR_WIDTH + PADDING * 2;
  const width = left + right;
  const title = escapeXml(`${label}: ${value}`);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="20" role="img" aria-label="${title}">`,
    `<title>${title}</title>`,
    `<rect width="${left}" height="20" fill="#555"/>`,
    `<rect x="${left}" width="${right}" height="20" fill="${COLOURS[input.health]}"/>`,
    `<g fill="#fff" text-anchor="middle" font-family="Verdana,DejaVu Sans,sans-serif" font-size="11">`,
    `<text x="${left / 2}" y="14">${escapeXml(label)}</text>`,
    `<text x="${left + right / 2}" y="14">${escapeXml(value)}</text>`,
    '</g>',
    '</svg>',
  ].join('');
}

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] as string);
}

/** Printable and bounded: control characters (invalid in XML) become spaces. */
function clip(text: string): string {
  const printable = text.replace(/[\u0000-\u001f\u007f]/g, ' ');
  return printable.length > MAX_TEXT ? `${printable.slice(0, MAX_TEXT - 1)}…` : printable;
}
