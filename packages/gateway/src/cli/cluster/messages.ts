/** What a worker tells the primary over the cluster's channel: that it listens, and where. */

export interface ListeningMessage {
  openkka: 'listening';
  url: string;
  adminUrl: string | undefined;
}

/** A message of ours with this tag: the channel also carries Node's and prom-client's own. */
function tagged(message: unknown, tag: string): message is Record<string, unknown> {
  return (
    typeof message === 'object' && message !== null && (message as { openkka?: unknown }).openkka === tag
  );
}

export function isListening(message: unknown): message is ListeningMessage {
  return tagged(message, 'listening') && typeof message.url === 'string';
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
  return tagged(message, 'metrics-request') && typeof message.id === 'number';
}

export function isMetricsAnswer(message: unknown): message is MetricsAnswer {
  return tagged(message, 'metrics') && typeof message.id === 'number';
}
