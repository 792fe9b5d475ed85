export * from './hookSpec';
