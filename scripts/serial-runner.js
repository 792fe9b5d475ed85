// jest runner of the `stack` project (jest.config.js): jest's own runner, one suite at a time.
const path = require('node:path');

const jestCore = path.dirname(require.resolve('@jest/core/package.json', { paths: [path.dirname(require.resolve('jest/package.json'))] }));
const TestRunner = require(require.resolve('jest-runner', { paths: [jestCore] })).default;

class SerialRunner extends TestRunner {
  get isSerial() {
    return true;
  }
}

module.exports = SerialRunner;
