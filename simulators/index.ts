/** Public API of the local Azure simulators (tests, devhost, the local demo). Product code never imports this. */
export { startSimulator, type SimulatorOptions, type RunningSimulator, type RequestRecord } from './server';
export { startAzureSimulator, type AzureSimulatorOptions, type RunningAzureSimulator, type AzureSimulatorContext } from './azureSimulator';
export { LocalDevCredential, LOCAL_DEV_TOKEN } from './credential';
export { FaultRules, type FaultRuleInput, type FaultMatch, type FaultResponse, type FaultRule } from './faults';
export { LroTracker, originOf, regionSegment, type LroOperation, type BeginOptions, type LroTrackerOptions } from './arm/lro';
export { ArmError, armError, notFound } from './arm/errors';
export {
  InMemoryImageCatalog,
  resolveBehaviour,
  parseBehaviour,
  behaviourFromImageRef,
  BEHAVIOUR_KINDS,
  type ImageCatalog,
  type ImageBehaviour,
  type ImageRecord,
  type BehaviourKind,
} from './imageCatalog';
export { createCertificateAuthority, issueServerCertificate, DEFAULT_SERVER_NAMES, type CertificateAuthority } from './tls';
export { startIngress, type RunningIngress, type IngressOptions } from './ingress/ingressServer';
export { ContainerAppsModule } from './arm/containerApps';
export { MetricsRecorder } from './monitor/metricsRecorder';
export { createMetricsModule } from './monitor/metricsModule';
export { RevisionRuntime } from './revisions/revisionRuntime';
export type { SimModule, SimRequest, SimResponse } from './module';
