// Retrying chain requests with exponential backoff: only failures to reach the node are retried,
// never reverts (a revert is an answer).
import { chainCall } from "../chain/wrap";
import { ChainRequestError } from "../errors/chain";
import type { Logger } from "../infra/log";

/** How long and how often to retry. */
export interface RetryOptions {
  /** Give up after this long (ms). */
  maxMs: number;
  /** First wait (ms); doubles up to maxDelayMs. */
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryOptions = { maxMs: 120_000, baseDelayMs: 250, maxDelayMs: 5_000 };

/** Runs `fn`, retrying ChainRequestError with backoff until it succeeds or `maxMs` passes. */
export async function withRetry<T>(what: string, fn: () => Promise<T>, log: Logger, opts: RetryOptions = DEFAULT_RETRY): Promise<T> {
  const started = Date.now();
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (!(error instanceof ChainRequestError) || Date.now() - started > opts.maxMs) throw error;
      const delay = Math.min(opts.maxDelayMs, opts.baseDelayMs * 2 ** attempt);
      log.warn(`${what}: node unreachable, retrying`, { attempt: attempt + 1, delayMs: delay, problem: error.shortMessage });
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

/** Runs a chain request through chainCall (raw RPC errors become the project's) and retries it while the node cannot be reached. */
export function withChainRetry<T>(what: string, fn: () => Promise<T>, log: Logger, opts: RetryOptions = DEFAULT_RETRY): Promise<T> {
  return withRetry(what, () => chainCall(what, fn), log, opts);
}
