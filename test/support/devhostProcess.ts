/**
 * devhost as a child process that a test kills with SIGKILL and starts again on the same task
 * hub: the crash scenarios and the model-based checker's controller.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';

const CHILD = path.join(__dirname, 'devhostProcess.child.js');

export interface DevhostProcessOptions {
  /** The compiled app's entry. */
  entry: string;
  /** A JSON file of the app settings (mode 600: it holds the local keys). */
  settingsFile: string;
  hubName: string;
  port: number;
  dataDir: string;
  /** Trusts the simulator's certificate authority. */
  caCertPath: string;
  /** Appends devhost's log lines here. */
  logFile?: string;
}

export interface DevhostProcess {
  child: ChildProcess;
  baseUrl: string;
}

/** Starts devhost and resolves once it serves. */
export async function startDevhostProcess(options: DevhostProcessOptions): Promise<DevhostProcess> {
  const child = spawn(
    process.execPath,
    [CHILD, options.entry, options.settingsFile, options.hubName, String(options.port), options.dataDir, ...(options.logFile ? [options.logFile] : [])],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_EXTRA_CA_CERTS: options.caCertPath } },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const baseUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`devhost did not start: ${stderr}`)), 60_000);
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const ready = /READY (\S+)/.exec(out);
      if (ready) {
        clearTimeout(timer);
        resolve(ready[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`devhost exited with ${code}: ${stderr}`));
    });
  });
  return { child, baseUrl };
}

/** kill -9, resolved once the process is gone. */
export function killHard(child: ChildProcess | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (!child || child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

/** A port free at the time of asking, so a restarted devhost can come back on the same one. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
