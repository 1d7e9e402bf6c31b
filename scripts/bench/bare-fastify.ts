/**
 * The bench's yardstick: bare Fastify answering `{"ok":true}` (the reference the issue measured
 * at ~28,000 req/s on this machine). Measured in every bench, it shows how fast the machine is
 * right now, so figures from different hours can be compared as shares of it.
 */
import Fastify from 'fastify';

const app = Fastify();
app.get('/', async () => ({ ok: true }));
app.get('/health/live', async () => ({ status: 'ok' }));
app
  .listen({ port: Number(process.env.PORT), host: process.env.HOST ?? '127.0.0.1' })
  .catch((error: unknown) => {
    process.stderr.write(`bare-fastify: ${String(error)}\n`);
    process.exit(1);
  });
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
