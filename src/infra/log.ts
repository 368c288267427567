// A small line logger for long-running processes: one line per event, `key=value` details, never secrets.
export type LogLevel = "debug" | "info" | "warn" | "error";
const ORDER: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/** Logs events tagged with the process's role. */
export interface Logger {
  debug(message: string, details?: Record<string, unknown>): void;
  info(message: string, details?: Record<string, unknown>): void;
  warn(message: string, details?: Record<string, unknown>): void;
  error(message: string, details?: Record<string, unknown>): void;
}

function format(details: Record<string, unknown> = {}): string {
  return Object.entries(details)
    .map(([k, v]) => `${k}=${typeof v === "string" && !/\s/.test(v) ? v : JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? x.toString() : x))}`)
    .join(" ");
}

/** A logger writing `time [tag] message details` lines to stderr, at OMNI_LOG_LEVEL (default info) and above. */
export function createLogger(tag: string, level: LogLevel = (process.env.OMNI_LOG_LEVEL as LogLevel) ?? "info"): Logger {
  const min = ORDER[level] ?? ORDER.info;
  const write = (l: LogLevel) => (message: string, details?: Record<string, unknown>) => {
    if (ORDER[l] < min) return;
    const line = `${new Date().toISOString()} [${tag}] ${l === "info" ? "" : l.toUpperCase() + " "}${message}${details ? " " + format(details) : ""}`;
    process.stderr.write(line + "\n");
  };
  return { debug: write("debug"), info: write("info"), warn: write("warn"), error: write("error") };
}
