// Tests are written in TypeScript and compiled by `tsc` with the rest of the project
// (one type-check for everything); jest runs the compiled output with source maps.
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/dist/test'],
  testMatch: ['**/*.test.js'],
  testTimeout: 60000,
  // One suite at a time: scenario, backup and durable suites each run a whole local stack
  // (Azurite, PostgreSQL, simulators, revision processes); two at once on 2 cores starve each other.
  maxWorkers: 1,
  // devhost provides `@azure/functions-core`; jest resolves modules itself, so name it here too.
  moduleNameMapper: { '^@azure/functions-core$': '<rootDir>/dist/devhost/functionsCoreModule.js' },
};
