// Errors raised by the ML layer, under the project's BaseError: a short message that names the
// problem, with details and the cause kept for logs.
import { BaseError } from "./base";

/** Options shared by every ML error: an extra detail line and the underlying cause. */
export interface MlErrorOptions {
  details?: string;
  cause?: unknown;
}

/** Root of the ML errors. */
export class MlError extends BaseError {
  override name = "MlError";

  constructor(shortMessage: string, options: MlErrorOptions = {}) {
    super(shortMessage, { details: options.details ? { details: options.details } : {}, cause: options.cause });
    const causeText = options.cause instanceof Error ? options.cause.message : undefined;
    const lines = [shortMessage];
    if (options.details) lines.push(`Details: ${options.details}`);
    if (causeText && causeText !== options.details) lines.push(`Cause: ${causeText}`);
    this.message = lines.join("\n");
  }
}

/** A data file (IDX, CSV, shard folder) is missing, corrupt, truncated or inconsistent. */
export class DataFormatError extends MlError {
  override name = "DataFormatError";

  constructor(file: string, problem: string, options: MlErrorOptions = {}) {
    super(`${file}: ${problem}`, options);
  }
}

/** A weight vector or tensor does not match the shape the model expects. */
export class WeightShapeError extends MlError {
  override name = "WeightShapeError";
}

/** A saved model folder cannot be read back (malformed JSON, missing or mismatched weights). */
export class ModelFormatError extends MlError {
  override name = "ModelFormatError";
}

/** No usable TensorFlow.js backend could be initialised, or the requested one is unavailable. */
export class BackendError extends MlError {
  override name = "BackendError";
}

/** An option passed to an ML function is out of range or inconsistent; names the field. */
export class MlConfigError extends MlError {
  override name = "MlConfigError";
}
