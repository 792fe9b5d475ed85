export * from './analysisSpec';
export * from './analysisCondition';
export * from './analysisVerdict';
export * from './analysisProgress';
