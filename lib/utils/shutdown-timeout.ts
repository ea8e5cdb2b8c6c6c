/** How long shutdown waits for running runs and jobs before aborting them, unless told (ms). */
export const DEFAULT_SHUTDOWN_TIMEOUT = 10_000;
