/**
 * Where telemetry goes: Application Insights through the Azure Monitor distro when a connection
 * string is set, the log otherwise. The distro is loaded only on the first path, so each case runs
 * in a process of its own (the providers are process-wide globals, and so is the module cache).
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';

const START_TELEMETRY = path.resolve(__dirname, '..', '..', 'src', 'telemetry', 'startTelemetry.js');

/** Starts telemetry in a fresh process and says where it went and whether the distro was loaded. */
function startIn(connectionString: string | undefined): { destination: string; distroLoaded: boolean } {
  const script = `
    const { startTelemetry } = require(${JSON.stringify(START_TELEMETRY)});
    const credential = { getToken: async () => ({ token: 'unused', expiresOnTimestamp: Date.now() + 3600000 }) };
    const telemetry = startTelemetry({ connectionString: process.argv[1] || undefined, credential: () => credential });
    const distroLoaded = Object.keys(require.cache).some((file) => file.includes('/@azure/monitor-opentelemetry/'));
    process.stdout.write(JSON.stringify({ destination: telemetry.destination, distroLoaded }));
    process.exit(0);
  `;
  const out = execFileSync(process.execPath, ['-e', script, connectionString ?? ''], { encoding: 'utf8', timeout: 30_000 });
  return JSON.parse(out);
}

describe('startTelemetry', () => {
  it('sends to Application Insights through the Azure Monitor distro when a connection string is set', () => {
    // An ingestion endpoint nothing listens on: the process exits before the first export.
    const connectionString = 'InstrumentationKey=00000000-0000-4000-8000-000000000000;IngestionEndpoint=http://127.0.0.1:9/';
    expect(startIn(connectionString)).toEqual({ destination: 'application-insights', distroLoaded: true });
  });

  it('writes spans to the log without loading the distro when there is none', () => {
    expect(startIn(undefined)).toEqual({ destination: 'log', distroLoaded: false });
  });
});
