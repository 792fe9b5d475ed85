export * from './backupModel';
export * from './backupNaming';
export * from './planRetention';
export * from './judgeBackupFreshness';
export * from './scrubSecrets';
export * from './backupContracts';
export * from './judgeBackupWait';
