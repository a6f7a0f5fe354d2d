/**
 * The gateway's metrics: one prom-client registry per built app (never the global one, so two
 * apps in one process count apart), every metric the gateway exports, and the per-request
 * recording. Labels are bounded by construction: route patterns, HTTP methods and statuses,
 * catalogue codes, order statuses, payment methods and a few fixed words; never an id or a URL.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, type Metric, Registry } from 'prom-client';

/** 0.5 ms to 10 s: a signed payment takes milliseconds, a hung acquirer or receiver seconds. */
const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Group commits and batches hold from one request to a few hundred. */
const BATCH_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256];

type HttpChildren = {
  count: Counter.Internal;
  duration: Histogram.Internal<'route' | 'method'>;
};

let processRegistry: Registry | undefined;

/**
 * Event-loop lag, RSS, heap and GC: the process's, sampled by timers and observers, nothing per
 * request. Made once per process and shared by every app built in it (an embedder or a test
 * may build many), so their timers and observers are never made twice and never outlive one.
 */
function processMetrics(): Metric[] {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  // prom-client types these as plain objects, but they are the metrics themselves (its own
  // Registry.merge registers them so).
  return processRegistry.getMetricsAsArray() as unknown as Metric[];
}

export class GatewayMetrics {
  readonly registry = new Registry();
  private readonly registers = [this.registry];

  readonly httpRequests = new Counter({
    name: 'openkka_http_requests_total',
    help: 'HTTP requests answered, by route pattern (unmatched: no route), method, status and envelope code (empty outside the API)',
    labelNames: ['route', 'method', 'status', 'code'] as const,
    registers: this.registers,
  });
  readonly httpDuration = new Histogram({
    name: 'openkka_http_request_duration_seconds',
    help: 'Time from a request received to its answer sent, by route pattern and method',
    labelNames: ['route', 'method'] as const,
    buckets: LATENCY_BUCKETS,
    registers: this.registers,
  });
  readonly payments = new Counter({
    name: 'openkka_payments_total',
    help: "Payments whose authorization outcome was committed (an AUTHORIZATION or DECLINE event), by the order's status after it and payment method",
    labelNames: ['status', 'method'] as const,
    registers: this.registers,
  });
  readonly acquirerDuration = new Histogram({
    name: 'openkka_acquirer_request_duration_seconds',
    help: 'Calls to the acquirer, answered or not, by operation (*_in_process: answered at once by an in-process acquirer)',
    labelNames: ['operation'] as const,
    buckets: LATENCY_BUCKETS,
    registers: this.registers,
  });
  readonly acquirerTimeouts = new Counter({
    name: 'openkka_acquirer_timeouts_total',
    help: 'Acquirer calls that ran out of time (OPENKKA_ACQUIRER_TIMEOUT): an unknown outcome for the reconciler',
    labelNames: ['operation'] as const,
    registers: this.registers,
  });
  readonly acquirerErrors = new Counter({
    name: 'openkka_acquirer_errors_total',
    help: 'Acquirer calls that failed without an answer, timeouts not included',
    labelNames: ['operation'] as const,
    registers: this.registers,
  });
  readonly notificationDeliveries = new Counter({
    name: 'openkka_notification_deliveries_total',
    help: 'Notification attempts by outcome: delivered, failed (a retry is scheduled), given_up (no retry left)',
    labelNames: ['outcome'] as const,
    registers: this.registers,
  });
  readonly commitDuration = new Histogram({
    name: 'openkka_store_commit_duration_seconds',
    help: 'One durable write of the store: a SQLite group commit with its WAL sync, or a PostgreSQL batch of order writes',
    buckets: LATENCY_BUCKETS,
    registers: this.registers,
  });
  readonly commitBatchSize = new Histogram({
    name: 'openkka_store_commit_batch_size',
    help: 'Transactions (SQLite) or order writes (PostgreSQL) carried by one commit',
    buckets: BATCH_BUCKETS,
    registers: this.registers,
  });

  private readonly http = new Map<string, HttpChildren>();
  private readonly paymentChildren = new Map<string, Counter.Internal>();

  constructor() {
    for (const metric of processMetrics()) this.registry.registerMetric(metric);
  }

  /** One answered request: the label children are resolved once per distinct label tuple. */
  recordRequest(route: string, method: string, status: number, code: string, seconds: number): void {
    const children = childOf(this.http, `${route} ${method} ${status} ${code}`, () => ({
      count: this.httpRequests.labels(route, method, String(status), code),
      duration: this.httpDuration.labels(route, method),
    }));
    children.count.inc();
    children.duration.observe(seconds);
  }

  recordPayment(status: string, method: string): void {
    childOf(this.paymentChildren, `${status} ${method}`, () => this.payments.labels(status, method)).inc();
  }

  recordDelivery(outcome: 'delivered' | 'failed' | 'given_up'): void {
    this.notificationDeliveries.labels(outcome).inc();
  }

  recordCommit(seconds: number, size: number): void {
    this.commitDuration.observe(seconds);
    this.commitBatchSize.observe(size);
  }

  /** A gauge read from the store when scraped, at most once per `ttlMs` (backlog.ts). */
  gauge(name: string, help: string, read: () => Promise<number>): Gauge {
    return new Gauge({
      name,
      help,
      registers: this.registers,
      // Every worker reads the same store: across workers the figure is the largest, not a sum.
      aggregator: 'max',
      async collect() {
        this.set(await read());
      },
    });
  }
}

/** A metric's child for one label tuple, looked up by `key` and made on first use. */
function childOf<T>(children: Map<string, T>, key: string, make: () => T): T {
  let child = children.get(key);
  if (child === undefined) {
    child = make();
    children.set(key, child);
  }
  return child;
}
