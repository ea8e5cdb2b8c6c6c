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
