// The root of the project's error hierarchy: a short message, structured details and a cause.

export interface BaseErrorOptions {
  details?: Record<string, unknown>;
  cause?: unknown;
}

/** Root error: every error thrown by the TypeScript side derives from it. */
export class BaseError extends Error {
  override name = "BaseError";
  readonly shortMessage: string;
  readonly details: Record<string, unknown>;
  override readonly cause?: unknown;

  constructor(shortMessage: string, options: BaseErrorOptions = {}) {
    super(shortMessage);
    this.shortMessage = shortMessage;
    this.details = options.details ?? {};
    this.cause = options.cause;
  }
}
