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
