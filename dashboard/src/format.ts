/** How figures read on the page: ages, durations, sizes, digests. */

export function shortDigest(digest: string | undefined): string {
  if (!digest) return '—';
  return digest.replace(/^sha256:/, '').slice(0, 12);
}

/** "4 s", "3 min 5 s", "2 h 10 min", "3 d 4 h". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return seconds % 60 ? `${minutes} min ${seconds % 60} s` : `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
  const days = Math.floor(hours / 24);
  return hours % 24 ? `${days} d ${hours % 24} h` : `${days} d`;
}

export function formatAge(iso: string | undefined, now = Date.now()): string {
  if (!iso) return '—';
  const at = Date.parse(iso);
  if (!Number.isFinite(at)) return '—';
  const ms = now - at;
  if (ms < 5000) return 'just now';
  return `${formatDuration(ms)} ago`;
}

export function formatTime(iso: string | undefined): string {
  if (!iso) return '—';
  const at = new Date(iso);
  if (!Number.isFinite(at.getTime())) return '—';
  return at.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
}

export function formatBytes(bytes: number | undefined): string {
  if (bytes === undefined || !Number.isFinite(bytes)) return '—';
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/** The tag when there is one, else the digest's start. */
export function releaseName(release: { tag?: string; digest?: string } | undefined): string {
  if (!release) return '—';
  return release.tag ?? shortDigest(release.digest);
}

/** The revision's own suffix: `sfa-app--v4-2-0-ab12` reads `v4-2-0-ab12`. */
export function shortRevision(name: string | undefined): string {
  if (!name) return '—';
  const at = name.indexOf('--');
  return at >= 0 ? name.slice(at + 2) : name;
}

/** The tag of an image reference (`registry/repo:tag`), if it names one (not a digest). */
export function tagOfImage(image: string | undefined): string | undefined {
  if (!image || image.includes('@')) return undefined;
  const last = image.slice(image.lastIndexOf('/') + 1);
  const colon = last.indexOf(':');
  return colon >= 0 ? last.slice(colon + 1) : undefined;
}
