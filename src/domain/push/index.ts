/** Registry pushes: one domain event, a parser per source, authentication, matching and the per-app queue. Pure. */
export * from './imagePushed';
export {
  SHA256_DIGEST_PATTERN,
  TAG_PATTERN,
  REPOSITORY_PATTERN,
  REGISTRY_HOST_PATTERN,
  isSha256Digest,
  isValidTag,
  isValidRepository,
  isValidRegistryHost,
} from './pushFieldRules';
export * from './headerLookup';
export * from './parseAcrWebhook';
export * from './parseEventGridDelivery';
export * from './parseDockerHubWebhook';
export * from './parseGhcrWebhook';
export * from './verifyGitHubSignature';
export * from './verifySharedSecret';
export * from './presentedSecret';
export * from './registryNames';
export * from './tagPolicy';
export * from './matchPush';
export * from './deploymentQueue';
export * from './deliveryRecord';
