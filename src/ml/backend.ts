// Chooses and starts the TensorFlow.js backend: tfjs-node when installed, else wasm (with the
// kernels it lacks registered), and the slow pure-JS cpu backend only when asked for explicitly.
import * as tf from "@tensorflow/tfjs";
import { BackendError } from "../errors";
import { registerWasmKernels } from "./wasmKernels";

/** A backend the caller may ask for. */
export type BackendPreference = "node" | "wasm" | "cpu";

/** The environment variable that selects the backend when no `prefer` option is given. */
export const BACKEND_ENV = "OMNI_ML_BACKEND";

/** Options of initBackend. */
export interface InitBackendOptions {
  /** Backend to use; overrides the OMNI_ML_BACKEND environment variable. */
  prefer?: BackendPreference;
  /** Where the one line naming the chosen backend goes (default: stderr). */
  log?: (line: string) => void;
}

/** The backend in use and why it was chosen. */
export interface BackendInfo {
  name: string;
  reason: string;
}

const TF_NAMES: Record<BackendPreference, string> = { node: "tensorflow", wasm: "wasm", cpu: "cpu" };

let started: { info: Promise<BackendInfo> } | undefined;

function readPreference(prefer: BackendPreference | undefined): BackendPreference | undefined {
  const raw = prefer ?? process.env[BACKEND_ENV];
  if (raw === undefined || raw === "") return undefined;
  if (raw === "node" || raw === "wasm" || raw === "cpu") return raw;
  throw new BackendError(`${BACKEND_ENV} must be one of node, wasm, cpu`, { details: `got ${JSON.stringify(raw)}` });
}

function tryRequireNode(): unknown {
  try {
    // Optional dependency: absent on machines where libtensorflow cannot be downloaded.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require("@tensorflow/tfjs-node");
    return undefined;
  } catch (err) {
    return err;
  }
}

async function activate(name: string): Promise<boolean> {
  const ok = await tf.setBackend(name);
  await tf.ready();
  return ok && tf.getBackend() === name;
}

async function startWasm(reason: string): Promise<BackendInfo> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require("@tensorflow/tfjs-backend-wasm");
  registerWasmKernels();
  if (!(await activate("wasm"))) throw new BackendError("the wasm backend failed to initialise");
  return { name: "wasm", reason };
}

async function choose(preference: BackendPreference | undefined): Promise<BackendInfo> {
  if (preference === "cpu") {
    if (!(await activate("cpu"))) throw new BackendError("the cpu backend failed to initialise");
    return { name: "cpu", reason: "requested explicitly (pure JS, about 100x slower than wasm)" };
  }
  if (preference === "wasm") return startWasm("requested explicitly");
  const nodeError = tryRequireNode();
  if (nodeError === undefined && (await activate("tensorflow"))) {
    return { name: "tensorflow", reason: "@tensorflow/tfjs-node is installed" };
  }
  if (preference === "node") {
    throw new BackendError("the node backend was requested but @tensorflow/tfjs-node is unavailable", {
      cause: nodeError,
    });
  }
  return startWasm("@tensorflow/tfjs-node is not installed; wasm is the fastest backend available");
}

/**
 * Starts the backend once and reports it in one log line; later calls return the same result.
 * Asking for a different backend after one has started is an error (no silent switching).
 */
export function initBackend(opts: InitBackendOptions = {}): Promise<BackendInfo> {
  const preference = readPreference(opts.prefer);
  if (started) {
    if (preference === undefined) return started.info;
    return started.info.then((info) => {
      if (info.name === TF_NAMES[preference]) return info;
      throw new BackendError(`backend already started as ${info.name}; cannot switch to ${preference}`);
    });
  }
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const info = choose(preference).then((chosen) => {
    log(`[ml] tfjs backend: ${chosen.name} (${chosen.reason})`);
    return chosen;
  });
  started = { info };
  info.catch(() => {
    if (started?.info === info) started = undefined;
  });
  return info;
}
