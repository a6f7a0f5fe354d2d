/** Embedding openkka: build the app yourself with your own store, clock and acquirer. */

export { SimulatedAcquirer } from './acquirer/simulator.ts';
export type { Acquirer, AuthorizeRequest, AuthorizeResult } from './acquirer/types.ts';
export { type App, type AppDeps, buildApp } from './app.ts';
export { type Config, loadConfig } from './config.ts';
export { type Clock, ManualClock, systemClock } from './domain/clock.ts';
export { BUSINESS_CODES, REQUEST_CODES } from './domain/errors.ts';
export { openRuntime, type Runtime } from './runtime.ts';
