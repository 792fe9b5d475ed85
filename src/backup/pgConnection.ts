/**
 * Turns a PostgreSQL connection string (URI `postgres://user:pass@host:port/db?sslmode=...` or
 * keyword/value `host=... user=... password=...`) into the libpq environment pg_dump/pg_restore
 * read, so the password reaches them through PGPASSWORD and never through argv.
 */
export interface PgConnection {
  /** PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE, PGSSLMODE..., only those given. */
  readonly env: Readonly<Record<string, string>>;
  readonly host?: string;
  readonly port?: number;
  readonly user?: string;
  readonly password?: string;
  readonly database?: string;
  readonly sslmode?: string;
  /** Values to scrub from any text that leaves the runner (the password, the string itself). */
  readonly secrets: readonly string[];
}

const KEYWORD_TO_ENV: Record<string, string> = {
  host: 'PGHOST',
  hostaddr: 'PGHOSTADDR',
  port: 'PGPORT',
  user: 'PGUSER',
  password: 'PGPASSWORD',
  dbname: 'PGDATABASE',
  sslmode: 'PGSSLMODE',
  sslrootcert: 'PGSSLROOTCERT',
  connect_timeout: 'PGCONNECT_TIMEOUT',
  application_name: 'PGAPPNAME',
  options: 'PGOPTIONS',
};

export class ConnectionStringError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConnectionStringError';
  }
}

export function parseConnectionString(text: string): PgConnection {
  const trimmed = text.trim();
  const values = /^postgres(ql)?:\/\//i.test(trimmed) ? fromUri(trimmed) : fromKeywords(trimmed);
  const env: Record<string, string> = {};
  for (const [keyword, value] of Object.entries(values)) {
    const name = KEYWORD_TO_ENV[keyword];
    if (name && value !== '') env[name] = value;
  }
  // Fail fast when the server is down rather than hang for libpq's default (forever).
  env.PGCONNECT_TIMEOUT ??= '15';
  const port = values.port ? Number(values.port) : undefined;
  return {
    env,
    host: values.host || undefined,
    port: Number.isFinite(port) ? port : undefined,
    user: values.user || undefined,
    password: values.password || undefined,
    database: values.dbname || undefined,
    sslmode: values.sslmode || undefined,
    secrets: [text, trimmed, values.password].filter((s): s is string => Boolean(s)),
  };
}

function fromUri(text: string): Record<string, string> {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    // Never echo the string: it holds the password.
    throw new ConnectionStringError('the connection string is not a valid postgres:// URI');
  }
  const values: Record<string, string> = {};
  if (url.hostname) values.host = decodeURIComponent(url.hostname.replace(/^\[|\]$/g, ''));
  if (url.port) values.port = url.port;
  if (url.username) values.user = decodeURIComponent(url.username);
  if (url.password) values.password = decodeURIComponent(url.password);
  const db = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (db) values.dbname = db;
  for (const [key, value] of url.searchParams) values[key] = value;
  return values;
}

function fromKeywords(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  const pattern = /(\w+)\s*=\s*('(?:\\.|[^'\\])*'|\S+)/g;
  let matched = 0;
  for (const m of text.matchAll(pattern)) {
    matched++;
    const raw = m[2];
    values[m[1].toLowerCase()] = raw.startsWith("'") ? raw.slice(1, -1).replace(/\\(.)/g, '$1') : raw;
  }
  if (matched === 0) throw new ConnectionStringError('the connection string is neither a postgres:// URI nor keyword=value pairs');
  return values;
}

/** Options for the `pg` driver from the same connection. */
export function pgClientConfig(connection: PgConnection, database?: string): Record<string, unknown> {
  const ssl = connection.sslmode && !['disable', 'allow', 'prefer'].includes(connection.sslmode)
    ? { rejectUnauthorized: connection.sslmode.startsWith('verify') }
    : undefined;
  return {
    host: connection.host,
    port: connection.port,
    user: connection.user,
    password: connection.password,
    database: database ?? connection.database,
    ssl,
    connectionTimeoutMillis: 15_000,
    statement_timeout: 0,
    application_name: 'harbormaster-backup',
  };
}
