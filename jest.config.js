// Tests are written in TypeScript and compiled by `tsc` with the rest of the project
// (one type-check for everything); jest runs the compiled output with source maps.
//
// Two projects:
// - `unit`: suites that start nothing (pure rules, configuration, infra files): in parallel.
// - `stack`: every other suite (Azurite, PostgreSQL, simulators, devhost, child processes): one at a
//   time within a jest run, sharing one Azurite and one PostgreSQL started once for that run
//   (test/support/sharedServices.ts); each suite claims its own storage account and database there.
//   `npm test` runs the project as three shards side by side (scripts/test.mjs).
// A new suite is a stack suite unless it is listed in UNIT.
const UNIT = [
  'domain/**',
  'architecture/**',
  'model/invariants',
  'infra/**',
  'functions/**',
  'orchestrators/**',
  'config/appsConfig',
  'config/jsonSchema',
  'config/settings',
  'devhost/routeTemplate',
  'devhost/timerSchedule',
  'devhost/signInStandIn',
  'devhost/queuePump',
  'telemetry/**',
  'sweep/sweepPolicies',
  'tooling/**',
].map((p) => `<rootDir>/dist/test/${p}${p.endsWith('**') ? '/*.test.js' : '.test.js'}`);

const common = {
  testEnvironment: 'node',
  roots: ['<rootDir>/dist/test'],
  // devhost provides `@azure/functions-core`; jest resolves modules itself, so name it here too.
  moduleNameMapper: { '^@azure/functions-core$': '<rootDir>/dist/devhost/functionsCoreModule.js' },
  // The suites are tsc's output already: no Babel pass over every file jest loads.
  transform: {},
};

/** @type {import('jest').Config} */
module.exports = {
  testTimeout: 60000,
  // `--shard` splits by recorded suite time, not by count (scripts/stack-sequencer.js).
  testSequencer: '<rootDir>/scripts/stack-sequencer.js',
  projects: [
    { ...common, displayName: 'unit', testMatch: UNIT },
    {
      ...common,
      displayName: 'stack',
      testMatch: ['<rootDir>/dist/test/**/*.test.js'],
      testPathIgnorePatterns: UNIT.map(globToRegex),
      runner: '<rootDir>/scripts/serial-runner.js',
      globalSetup: '<rootDir>/dist/test/support/globalSetup.js',
      globalTeardown: '<rootDir>/dist/test/support/globalTeardown.js',
    },
  ],
};

function globToRegex(glob) {
  const body = glob
    .replace('<rootDir>', __dirname)
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*\*\//g, '(?:.*/)?')
    .replace(/\*/g, '[^/]*');
  return `^${body}$`;
}
