/**
 * Preloaded (`node --import`) into the artillery process by run.mjs. Artillery 2.0.21 still sends
 * an event to its vendor's PostHog endpoint when ARTILLERY_DISABLE_TELEMETRY is set (it only strips
 * the payload), and waits for that request when it shuts down. A load run must send nothing off
 * this machine, so the PostHog client artillery constructs is replaced by one that does nothing.
 */
import Module from 'node:module';

class SilentPostHog {
  capture() {}
  on() {}
  async shutdown() {}
  async shutdownAsync() {}
}

const load = Module._load;
Module._load = function loadWithoutTelemetry(request, ...rest) {
  if (request === 'posthog-node') return { PostHog: SilentPostHog };
  return load.call(this, request, ...rest);
};
