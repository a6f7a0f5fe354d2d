/**
 * Reading a scrape of /metrics as Prometheus would: every line is `# HELP`, `# TYPE`, or a
 * sample `name{labels} value`; anything else fails the parse. Written here, since prom-client
 * only writes the format.
 */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Scrape {
  samples: Sample[];
  /** Metric name → type, from the `# TYPE` lines. */
  types: Map<string, string>;
  /** The sum of the samples named `name` whose labels include `labels`. */
  sum(name: string, labels?: Record<string, string>): number;
  /** The samples named `name`, each a distinct series. */
  series(name: string): Sample[];
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const SAMPLE = new RegExp(`^(${NAME})(?:\\{(.*)\\})? (\\S+)(?: \\d+)?$`);
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(,|$)/y;
const TYPE = new RegExp(`^# TYPE (${NAME}) (counter|gauge|histogram|summary|untyped)$`);
const HELP = new RegExp(`^# HELP (${NAME}) .*$`);

function labelsOf(text: string, line: string): Record<string, string> {
  const labels: Record<string, string> = {};
  LABEL.lastIndex = 0;
  while (LABEL.lastIndex < text.length) {
    const at = LABEL.lastIndex;
    const match = LABEL.exec(text);
    if (!match) throw new Error(`bad labels at ${at}: ${line}`);
    labels[match[1]!] = match[2]!.replace(/\\n/g, '\n').replace(/\\(["\\])/g, '$1');
  }
  return labels;
}

/** As Prometheus reads a value (Go's ParseFloat): NaN and Inf in any case (prom-client writes `Nan`). */
function sampleValue(text: string, line: string): number {
  if (/^\+?inf$/i.test(text)) return Number.POSITIVE_INFINITY;
  if (/^-inf$/i.test(text)) return Number.NEGATIVE_INFINITY;
  if (/^nan$/i.test(text)) return Number.NaN;
  const value = Number(text);
  if (!/^-?[0-9.]+(e[+-]?\d+)?$/i.test(text) || Number.isNaN(value)) throw new Error(`bad value: ${line}`);
  return value;
}

export function parseScrape(text: string): Scrape {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const type = TYPE.exec(line);
    if (type) {
      types.set(type[1]!, type[2]!);
      continue;
    }
    if (HELP.test(line)) continue;
    const sample = SAMPLE.exec(line);
    if (!sample) throw new Error(`not a line of the text format: ${line}`);
    samples.push({
      name: sample[1]!,
      labels: sample[2] ? labelsOf(sample[2], line) : {},
      value: sampleValue(sample[3]!, line),
    });
  }
  const matches = (s: Sample, labels: Record<string, string>) =>
    Object.entries(labels).every(([k, v]) => s.labels[k] === v);
  return {
    samples,
    types,
    sum: (name, labels = {}) =>
      samples.filter((s) => s.name === name && matches(s, labels)).reduce((a, s) => a + s.value, 0),
    series: (name) => samples.filter((s) => s.name === name),
  };
}

/** GET /metrics over real HTTP; the scrape parsed when it answered 200. */
export async function scrape(
  baseUrl: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; text: string; parsed: Scrape | undefined }> {
  const res = await fetch(`${baseUrl}/metrics`, { headers });
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    text,
    parsed: res.status === 200 ? parseScrape(text) : undefined,
  };
}
