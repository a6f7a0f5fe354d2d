/** What a worker tells the primary over the cluster's channel: that it listens, and where. */

export interface ListeningMessage {
  openkka: 'listening';
  url: string;
  adminUrl: string | undefined;
}

export function isListening(message: unknown): message is ListeningMessage {
  return (
    typeof message === 'object' &&
    message !== null &&
    (message as { openkka?: unknown }).openkka === 'listening' &&
    typeof (message as { url?: unknown }).url === 'string'
  );
}

/**
 * A worker asks the primary for the whole gateway's metrics (one scrape lands on one worker);
 * the primary gathers every worker's registry and answers with the text, or why it could not.
 */
export interface MetricsRequest {
  openkka: 'metrics-request';
  id: number;
}

export interface MetricsAnswer {
  openkka: 'metrics';
  id: number;
  text?: string;
  error?: string;
}

export function isMetricsRequest(message: unknown): message is MetricsRequest {
  return (
    typeof message === 'object' &&
    message !== null &&
    (message as { openkka?: unknown }).openkka === 'metrics-request' &&
    typeof (message as { id?: unknown }).id === 'number'
  );
}

export function isMetricsAnswer(message: unknown): message is MetricsAnswer {
  return (
    typeof message === 'object' &&
    message !== null &&
    (message as { openkka?: unknown }).openkka === 'metrics' &&
    typeof (message as { id?: unknown }).id === 'number'
  );
}
