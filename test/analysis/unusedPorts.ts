/** Ports a test of one provider does not use: any call fails the test loudly. */
const unused = (): Promise<never> => Promise.reject(new Error('not used by this test'));

export const UNUSED_PORTS = {
  metrics: { readAppMetrics: unused },
  metricsFacts: { getRegion: unused },
  jobs: { startExecution: unused, getExecution: unused, stopExecution: unused },
  logs: { query: unused },
};
