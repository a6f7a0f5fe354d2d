#!/usr/bin/env node
// The `openkka` executable. CommonJS on purpose: it runs before Node has used its thread pool.
// libuv sizes that pool once, on first use, from UV_THREADPOOL_SIZE, and an ES module entry is
// already read through the pool before its first line runs.
'use strict';
const { availableParallelism } = require('node:os');

// The pool does the gateway's CPU work off the event loop: every request's signature is
// verified there and every answer signed there. One thread per core, so on a small machine the
// pool does not outnumber the cores and crowd out the event loop (libuv's default is four), and
// at least two, so one slow job (a WAL sync on a slow disk) never stops all signing. An
// operator's own value wins.
if (!process.env.UV_THREADPOOL_SIZE) {
  process.env.UV_THREADPOOL_SIZE = String(Math.max(2, availableParallelism()));
}

import('./cli.js');
