/**
 * The value of a `durableClient` input binding: what `df.getClient(context)` reads to build a
 * DurableClient. `rpcBaseUrl` is where the client sends its API calls (served by httpApi.ts);
 * the creation and management URLs are the public webhook templates that
 * `createCheckStatusResponse` fills in.
 */
export const WEBHOOK_PATH = '/runtime/webhooks/durabletask';
const ID_PLACEHOLDER = 'INSTANCEID';

export interface DurableClientBindingData {
  taskHubName: string;
  creationUrls: Record<string, string>;
  managementUrls: Record<string, string>;
  baseUrl: string;
  requiredQueryStringParameters: string;
  rpcBaseUrl: string;
  httpBaseUrl: string;
  maxGrpcMessageSizeInBytes: number;
  grpcHttpClientTimeout: string;
}

export function durableClientBindingData(hostBaseUrl: string, taskHubName: string): DurableClientBindingData {
  const base = `${hostBaseUrl.replace(/\/$/, '')}${WEBHOOK_PATH}`;
  const query = `taskHub=${encodeURIComponent(taskHubName)}&connection=Storage&code=devhost`;
  const instance = `${base}/instances/${ID_PLACEHOLDER}`;
  return {
    taskHubName,
    creationUrls: {
      createNewInstancePostUri: `${base}/orchestrators/{functionName}[/{instanceId}]?${query}`,
      waitOnNewInstancePostUri: `${base}/orchestrators/{functionName}[/{instanceId}]?timeout={timeoutInSeconds}&pollingInterval={intervalInSeconds}&${query}`,
    },
    managementUrls: {
      id: ID_PLACEHOLDER,
      statusQueryGetUri: `${instance}?${query}`,
      sendEventPostUri: `${instance}/raiseEvent/{eventName}?${query}`,
      terminatePostUri: `${instance}/terminate?reason={text}&${query}`,
      rewindPostUri: `${instance}/rewind?reason={text}&${query}`,
      purgeHistoryDeleteUri: `${instance}?${query}`,
      restartPostUri: `${instance}/restart?${query}`,
      suspendPostUri: `${instance}/suspend?reason={text}&${query}`,
      resumePostUri: `${instance}/resume?reason={text}&${query}`,
    },
    baseUrl: base,
    requiredQueryStringParameters: query,
    rpcBaseUrl: `${base}/`,
    httpBaseUrl: base,
    maxGrpcMessageSizeInBytes: 0,
    grpcHttpClientTimeout: '00:01:40',
  };
}
