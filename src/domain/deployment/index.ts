export * from './deploymentModel';
export * from './revisionSuffix';
export * from './trafficPlan';
export * from './deploySpec';
export * from './activityContracts';
export * from './deploymentQueue';
export * from './deploymentId';
export * from './deploymentTimings';
