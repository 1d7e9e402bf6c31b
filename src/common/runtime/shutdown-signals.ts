/**
 * The signals that stop the API and the worker gracefully: what Docker, Kubernetes and systemd
 * send (SIGTERM) and Ctrl-C (SIGINT). Nest's `enableShutdownHooks()` without a list listens to
 * every shutdown signal it knows, SIGUSR2 and SIGHUP included; nodemon restarts and some log
 * rotators send those, and they must not stop a service holding stock.
 */
export const SHUTDOWN_SIGNALS = ['SIGTERM', 'SIGINT'];
