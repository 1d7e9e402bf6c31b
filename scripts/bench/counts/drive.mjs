// Drives a built service started by count.sh with a fixed number of requests, then prints the
// counts per request from instrument.mjs. Usage: node drive.mjs <repo> <port> <measurePort> <n>
// SCENARIO=live-sale (default; holds on variants with stock, POOL distinct shoppers) or sold-out
// (a variant with no stock; POOL shoppers retrying). 100 connections, as the bench uses.
import { createRequire } from 'node:module';

const [repo, port, measurePort, amountArg] = process.argv.slice(2);
const require = createRequire(`${repo}/package.json`);
const autocannon = require('autocannon');
const { createSigner } = require('fast-jwt');
const sign = createSigner({
  key: process.env.JWT_SECRET,
  algorithm: 'HS256',
  expiresIn: 3_600_000,
});
const base = `http://127.0.0.1:${port}`;
const admin = `Bearer ${sign({ sub: 'admin', roles: ['admin'] })}`;
const tag = `c${Date.now().toString(36)}`;
const soldOut = process.env.SCENARIO === 'sold-out';
const pool = Number(process.env.POOL ?? (soldOut ? 500 : 40_000));

async function createVariant(sku, stock) {
  const response = await fetch(`${base}/v1/admin/variants`, {
    method: 'POST',
    headers: { authorization: admin, 'content-type': 'application/json' },
    body: JSON.stringify({ sku, title: sku, price: 100, stock }),
  });
  if (!response.ok) throw new Error(await response.text());
  return (await response.json()).id;
}

const variants = [];
for (let i = 0; i < (soldOut ? 1 : 5); i++) {
  variants.push(await createVariant(`${tag}-${i}`, soldOut ? 0 : 10_000_000));
}
const shoppers = Array.from({ length: pool }, (_, i) => `Bearer ${sign({ sub: `${tag}-s${i}` })}`);
const bodies = variants.map((variantId) => JSON.stringify({ variantId, quantity: 1 }));
let attempt = 0;
// Live sale: shopper k mod P on variant ⌊k / P⌋, so no shopper repeats a variant (as the bench).
const next = () => {
  const shopper = attempt % pool;
  const variant = Math.floor(attempt / pool) % bodies.length;
  attempt += 1;
  return {
    method: 'POST',
    path: '/v1/reservations',
    headers: { 'content-type': 'application/json', authorization: shoppers[shopper] },
    body: bodies[variant],
  };
};
const load = (amount) =>
  new Promise((resolve, reject) =>
    autocannon(
      { url: base, connections: 100, amount, requests: [{ setupRequest: next }] },
      (error, result) => (error ? reject(error) : resolve(result)),
    ),
  );

await load(2_000); // warm-up, outside the window
await fetch(`http://127.0.0.1:${measurePort}/reset`);
const result = await load(Number(amountArg));
const counts = await (await fetch(`http://127.0.0.1:${measurePort}/dump`)).json();
const n = counts.requests;
const per = (value) => Number((value / n).toFixed(2));
console.log(
  JSON.stringify({
    repo,
    scenario: soldOut ? 'sold-out' : 'live-sale',
    requests: n,
    statuses: { '2xx': result['2xx'], '4xx': result['4xx'], other: result.non2xx - result['4xx'] },
    requestsPerScriptCall: Number((n / counts.scriptCalls).toFixed(1)),
    checksPerScriptCall: Number((counts.scriptChecks / counts.scriptCalls).toFixed(1)),
    redisCommandsPerRequest: Object.fromEntries(
      Object.entries(counts.commands).map(([name, value]) => [name, per(value)]),
    ),
    promisesPerRequest: per(counts.promises),
    immediatesPerRequest: per(counts.immediates),
    tickObjectsPerRequest: per(counts.tickObjects),
    allocatedBytesPerRequest: counts.allocatedBytes && Math.round(counts.allocatedBytes / n),
    cpuMicrosPerRequest: per(counts.cpuMicros),
  }),
);
