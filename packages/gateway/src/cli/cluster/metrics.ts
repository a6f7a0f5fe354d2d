/**
 * One scrape for the whole gateway under `--workers N`: the worker that got `GET /metrics` asks
 * the primary, which gathers every worker's registry with prom-client's AggregatorRegistry
 * (counters and histograms summed; the store backlogs, read by every worker, their largest) and
 * answers. Each worker answers prom-client's own request with its registry.
 */
import cluster, { type Worker } from 'node:cluster';
import { AggregatorRegistry, type PrometheusContentType, type Registry } from 'prom-client';
import { isMetricsAnswer, isMetricsRequest, type MetricsAnswer, type MetricsRequest } from './messages.ts';

/** Longer than prom-client's own 5 s wait for the workers, so its error is the one reported. */
const ANSWER_TIMEOUT_MS = 10_000;

/** In a worker: the scrape of the whole cluster, this process's registry being one part. */
export function clusterScrape(registry: Registry): () => Promise<string> {
  // Constructing it installs prom-client's listener for the primary's requests.
  new AggregatorRegistry();
  AggregatorRegistry.setRegistries([registry]);
  const waiting = new Map<number, { resolve: (text: string) => void; reject: (err: Error) => void }>();
  let nextId = 0;
  process.on('message', (message: unknown) => {
    if (!isMetricsAnswer(message)) return;
    const waiter = waiting.get(message.id);
    waiting.delete(message.id);
    if (message.text !== undefined) waiter?.resolve(message.text);
    else waiter?.reject(new Error(`metrics of the cluster: ${message.error ?? 'no answer'}`));
  });
  return () =>
    new Promise<string>((resolve, reject) => {
      const id = nextId++;
      const timer = setTimeout(() => {
        waiting.delete(id);
        reject(new Error('metrics of the cluster: the primary did not answer'));
      }, ANSWER_TIMEOUT_MS);
      waiting.set(id, {
        resolve: (text) => {
          clearTimeout(timer);
          resolve(text);
        },
        reject: (err) => {
          clearTimeout(timer);
          reject(err);
        },
      });
      const request: MetricsRequest = { openkka: 'metrics-request', id };
      process.send?.(request);
    });
}

let aggregator: AggregatorRegistry<PrometheusContentType> | undefined;

/** In the primary: answers a worker's metrics requests; the aggregator is made at the first one. */
export function answerMetricsRequests(worker: Worker): void {
  worker.on('message', (message: unknown) => {
    if (!isMetricsRequest(message) || !cluster.isPrimary) return;
    aggregator ??= new AggregatorRegistry();
    const reply = (answer: MetricsAnswer) => {
      if (worker.isConnected()) worker.send(answer);
    };
    aggregator.clusterMetrics().then(
      (text) => reply({ openkka: 'metrics', id: message.id, text }),
      (err: Error) => reply({ openkka: 'metrics', id: message.id, error: err.message }),
    );
  });
}
