export * from './removedFromConfig';
