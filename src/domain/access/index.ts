export * from './roles';
export * from './apiKeys';
export * from './clientPrincipal';
export * from './caller';
