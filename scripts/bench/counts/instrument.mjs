// Preloaded into a built service (node --import) by count.sh: per-request counts that do not
// depend on how busy the machine is. GET /reset on MEASURE_PORT opens a window, GET /dump answers
// the counts since then. COUNT_PROMISES=1 also counts async resources (promises, immediates,
// process.nextTick objects); the hook slows the service, so leave it off for batch sizes and CPU.
import asyncHooks from 'node:async_hooks';
import http from 'node:http';
import { createRequire } from 'node:module';
import v8 from 'node:v8';

const fresh = () => ({
  requests: 0,
  promises: 0,
  immediates: 0,
  tickObjects: 0,
  commands: {},
  scriptCalls: 0,
  scriptChecks: 0,
});
let counts = fresh();
let cpuAtReset = process.cpuUsage();
let heapAtReset = 0;
const gcProfiler = new v8.GCProfiler();

if (process.env.COUNT_PROMISES === '1') {
  const kinds = { PROMISE: 'promises', Immediate: 'immediates', TickObject: 'tickObjects' };
  asyncHooks
    .createHook({
      init(_id, type) {
        if (kinds[type]) counts[kinds[type]] += 1;
      },
    })
    .enable();
}

// Every Redis command the service sends; for the limit script, how many checks (key pairs) it carries.
// The service's own copy (it runs from its repository's root), the one its CommonJS code loads.
const ioredis = createRequire(`${process.cwd()}/package.json`)('ioredis');
const redisPrototype = (ioredis.default ?? ioredis).prototype;
const sendCommand = redisPrototype.sendCommand;
redisPrototype.sendCommand = function (command, stream) {
  counts.commands[command.name] = (counts.commands[command.name] ?? 0) + 1;
  // The limit script is the one whose keys are `rl:<key>:hits` / `rl:<key>:block` pairs.
  const limitScript =
    (command.name === 'evalsha' || command.name === 'eval') &&
    String(command.args[2]).startsWith('rl:');
  // ioredis resends the same script after NOSCRIPT; count each call once.
  if (limitScript && !command.stockholdCounted) {
    command.stockholdCounted = true;
    counts.scriptCalls += 1;
    counts.scriptChecks += Number(command.args[1]) / 2;
  }
  return sendCommand.call(this, command, stream);
};

const side = http.createServer((request, response) => {
  if (request.url === '/reset') {
    globalThis.gc?.();
    heapAtReset = v8.getHeapStatistics().used_heap_size;
    gcProfiler.start();
    counts = fresh();
    cpuAtReset = process.cpuUsage();
    response.end('ok');
    return;
  }
  const cpu = process.cpuUsage(cpuAtReset);
  globalThis.gc?.();
  // Bytes allocated in the window: heap growth between consecutive GCs, summed.
  let allocatedBytes;
  const profile = gcProfiler.stop();
  if (globalThis.gc && profile) {
    let after = heapAtReset;
    allocatedBytes = 0;
    for (const gc of profile.statistics) {
      allocatedBytes += gc.beforeGC.heapStatistics.usedHeapSize - after;
      after = gc.afterGC.heapStatistics.usedHeapSize;
    }
  }
  response.setHeader('content-type', 'application/json');
  response.end(JSON.stringify({ ...counts, cpuMicros: cpu.user + cpu.system, allocatedBytes }));
});
const emit = http.Server.prototype.emit;
http.Server.prototype.emit = function (event, ...args) {
  if (event === 'request' && this !== side) counts.requests += 1;
  return emit.call(this, event, ...args);
};
side.listen(Number(process.env.MEASURE_PORT), '127.0.0.1');
side.unref();
