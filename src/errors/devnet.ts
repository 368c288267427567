// Errors of the local chain tooling (src/devnet): starting a node, choosing its client.
import { BaseError } from "./base";

/** A local chain could not be started or was asked for with a bad option. */
export class DevnetError extends BaseError {
  override name = "DevnetError";
}
