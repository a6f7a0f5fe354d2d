/**
 * The layering of the gateway, checked by `npm test` (scripts/check-layers.mjs): the wire
 * (protocols/, pages/) calls services (modules/), services use the core (core/), everything
 * uses the store, vault and acquirer below, and domain/ uses nothing. docs/architecture.md
 * draws it; a rule here is the enforceable half of a sentence there.
 */
const SRC = '^packages/gateway/src/';

module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      comment: 'domain/ holds rules without I/O: it imports nothing of ours outside itself.',
      severity: 'error',
      from: { path: `${SRC}domain/` },
      to: { path: '^packages/', pathNot: `${SRC}domain/` },
    },
    {
      name: 'store-below-everything',
      comment: 'The store knows tables, not configuration, HTTP, services or the core.',
      severity: 'error',
      from: { path: `${SRC}store/` },
      to: {
        path: `${SRC}(config|app|runtime|server|logger)\\.ts$|${SRC}(http|protocols|pages|operations|modules|core|jobs|cli|vault|acquirer)/`,
      },
    },
    {
      name: 'vault-and-acquirer-below-the-core',
      severity: 'error',
      from: { path: `${SRC}(vault|acquirer)/` },
      to: {
        path: `${SRC}(config|app|runtime|server)\\.ts$|${SRC}(http|protocols|pages|operations|modules|core|jobs|cli)/`,
      },
    },
    {
      name: 'core-below-features',
      comment: 'The orders core is used by features and jobs, never the other way round.',
      severity: 'error',
      from: { path: `${SRC}core/` },
      to: {
        path: `${SRC}(config|app|runtime|server)\\.ts$|${SRC}(http|protocols|pages|operations|modules|jobs|cli)/`,
      },
    },
    {
      name: 'core-merchants-first',
      comment: 'Inside the core: merchants < orders < input, so the core has no cycle.',
      severity: 'error',
      from: { path: `${SRC}core/merchants/` },
      to: { path: `${SRC}core/(orders|input)/` },
    },
    {
      name: 'core-orders-before-input',
      severity: 'error',
      from: { path: `${SRC}core/orders/` },
      to: { path: `${SRC}core/input/` },
    },
    {
      name: 'features-know-no-wire',
      comment: 'Services know nothing of HTTP, envelopes, signatures or pages: protocols call them.',
      severity: 'error',
      from: { path: `${SRC}modules/` },
      to: {
        path: `${SRC}(config|app|runtime|server)\\.ts$|${SRC}(http|protocols|pages|operations|jobs|cli)/`,
      },
    },
    {
      name: 'operations-know-no-wire',
      comment: 'An operation is written once for every protocol: no paths, headers, envelopes or pages.',
      severity: 'error',
      from: { path: `${SRC}operations/` },
      to: { path: `${SRC}(config|app|runtime|server)\\.ts$|${SRC}(http|protocols|pages|jobs|cli)/` },
    },
    {
      name: 'features-apart',
      comment: 'A feature asks another through an interface in core/orders/ports.ts, wired in app.ts.',
      severity: 'error',
      from: { path: `${SRC}modules/([^/]+)/` },
      to: { path: `${SRC}modules/`, pathNot: `${SRC}modules/$1/` },
    },
    {
      name: 'jobs-know-no-wire',
      severity: 'error',
      from: { path: `${SRC}jobs/` },
      to: { path: `${SRC}(http|protocols|pages|operations|cli)/` },
    },
    {
      name: 'protocols-apart',
      comment: 'A second protocol is a sibling folder: protocols do not import each other.',
      severity: 'error',
      from: { path: `${SRC}protocols/([^/]+)/` },
      to: { path: `${SRC}protocols/`, pathNot: `${SRC}protocols/$1/` },
    },
    {
      name: 'pages-know-no-protocol',
      comment: 'Shopper pages are the same whatever protocol the merchant speaks.',
      severity: 'error',
      from: { path: `${SRC}pages/` },
      to: { path: `${SRC}protocols/` },
    },
    {
      name: 'sdk-stands-alone',
      comment: 'The SDK is installed by merchants: it imports nothing of the gateway.',
      severity: 'error',
      from: { path: '^packages/sdk/src/' },
      to: { path: '^packages/(gateway|bench)/' },
    },
    {
      name: 'gateway-without-bench',
      comment: 'The bench drives the gateway; the server never loads it.',
      severity: 'error',
      from: { path: '^packages/gateway/src/' },
      to: { path: '^packages/bench/' },
    },
    {
      name: 'no-circular',
      comment: 'No file imports itself through others (folder-level cycles: scripts/check-layers.mjs).',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|test|dist)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.base.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
    },
  },
};
