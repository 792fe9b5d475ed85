export * from './deploymentModel';
export * from './revisionSuffix';
export * from './trafficPlan';
