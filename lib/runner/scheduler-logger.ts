/** The logging the scheduler needs; Nest's Logger and LoggerService fit it. */
export interface SchedulerLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string, stack?: string): void;
  debug?(message: string): void;
}

/** Discards everything, for `logger: false`. */
export const silentLogger: SchedulerLogger = {
  log: () => {},
  warn: () => {},
  error: () => {},
};

/** Wraps a logger so that one that throws can never stop scheduling: its failures are dropped. */
export function guardLogger(logger: SchedulerLogger): SchedulerLogger {
  const attempt = (write: () => void) => {
    try {
      write();
    } catch {
      // Nowhere left to report it: the logger is what failed.
    }
  };
  return {
    log: (message) => attempt(() => logger.log(message)),
    warn: (message) => attempt(() => logger.warn(message)),
    error: (message, stack) => attempt(() => logger.error(message, stack)),
    debug: logger.debug ? (message) => attempt(() => logger.debug!(message)) : undefined,
  };
}
