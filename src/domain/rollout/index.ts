export * from './release';
export * from './rolloutPlan';
export * from './nextAction';
export * from './rollbackTarget';
export * from './servingRevision';
export * from './releaseRetention';
