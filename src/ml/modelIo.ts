// Saving and loading a model to a folder without tfjs-node, in the tfjs "layers-model" layout:
//   <dir>/model.json   {format, generatedBy, modelTopology, weightsManifest: [{paths: ["weights.bin"], weights}]}
//   <dir>/weights.bin  the float32 tensors concatenated in manifest order (little-endian)
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "fs";
import path from "path";
import * as tf from "@tensorflow/tfjs";
import { z } from "zod";
import { ModelFormatError } from "../errors";
import { parseJson } from "../infra/json";

/** File names inside a model folder. */
export const MODEL_FILES = { json: "model.json", weights: "weights.bin" } as const;

const BYTES_PER_VALUE = { float32: 4, int32: 4, bool: 1 } as const;

/** One tensor of the manifest: a name, a shape and a dtype of known size; quantized weights are not read. */
const weightSpecSchema = z
  .object({ name: z.string(), shape: z.array(z.number().int().nonnegative()), dtype: z.enum(["float32", "int32", "bool"]) })
  .passthrough()
  .refine(
    (spec) => !spec.quantization,
    (spec) => ({ message: `unsupported weight entry ${JSON.stringify(spec)}` }),
  );

/** model.json as read back; fields it does not name (convertedBy, say) are let through. */
export const modelJsonSchema = z
  .object({
    modelTopology: z.object({}).passthrough(),
    // One group first (the message says what the layout is), then each of its fields.
    weightsManifest: z
      .custom<unknown[]>((v) => Array.isArray(v) && v.length === 1, "weightsManifest must be one group {paths, weights}")
      .pipe(z.tuple([z.object({ paths: z.array(z.string()), weights: z.array(weightSpecSchema) }).passthrough()])),
    format: z.string().optional(),
    generatedBy: z.string().optional(),
  })
  .passthrough();

function toBuffer(data: tf.io.WeightData | undefined): Buffer {
  if (data === undefined) return Buffer.alloc(0);
  return Buffer.from(Array.isArray(data) ? tf.io.concatenateArrayBuffers(data) : data);
}

/** An IOHandler that writes/reads a model folder on the local file system. */
export function fileHandler(dir: string): tf.io.IOHandler {
  return {
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      mkdirSync(dir, { recursive: true });
      const weights = toBuffer(artifacts.weightData);
      const json: tf.io.ModelJSON = {
        format: artifacts.format ?? "layers-model",
        generatedBy: artifacts.generatedBy ?? `TensorFlow.js tfjs-layers v${tf.version_layers}`,
        convertedBy: null,
        modelTopology: artifacts.modelTopology as tf.io.ModelJSON["modelTopology"],
        weightsManifest: [{ paths: [MODEL_FILES.weights], weights: artifacts.weightSpecs ?? [] }],
      };
      writeFileSync(path.join(dir, MODEL_FILES.json), `${JSON.stringify(json)}\n`);
      writeFileSync(path.join(dir, MODEL_FILES.weights), weights);
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    },
    async load(): Promise<tf.io.ModelArtifacts> {
      return readArtifacts(dir);
    },
  };
}

function readArtifacts(dir: string): tf.io.ModelArtifacts {
  const jsonFile = path.join(dir, MODEL_FILES.json);
  if (!existsSync(jsonFile)) throw new ModelFormatError(`${jsonFile}: model.json is missing`);
  let text: string;
  try {
    text = readFileSync(jsonFile, "utf8");
  } catch (err) {
    throw new ModelFormatError(`${jsonFile}: cannot be read`, { cause: err });
  }
  const parsed = parseJson(text, modelJsonSchema);
  if (!parsed.ok) {
    if (parsed.syntax) throw new ModelFormatError(`${jsonFile}: not valid JSON`, { cause: parsed.cause });
    throw new ModelFormatError(`${jsonFile}: ${parsed.problem}`);
  }
  const json = parsed.value;
  const manifest = json.weightsManifest;
  const specs = manifest[0].weights;
  const expected = specs.reduce((sum, spec) => sum + spec.shape.reduce((a, b) => a * b, 1) * BYTES_PER_VALUE[spec.dtype], 0);
  const weightsFile = path.join(dir, manifest[0].paths.length === 1 ? manifest[0].paths[0] : MODEL_FILES.weights);
  if (!existsSync(weightsFile)) throw new ModelFormatError(`${weightsFile}: weights file is missing`);
  const weights = readFileSync(weightsFile);
  if (weights.length !== expected) {
    throw new ModelFormatError(`${weightsFile}: has ${weights.length} bytes, the manifest in model.json needs ${expected}`);
  }
  return {
    modelTopology: json.modelTopology,
    format: json.format,
    generatedBy: json.generatedBy,
    weightSpecs: specs as tf.io.WeightsManifestEntry[],
    weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.length),
  };
}

/** Saves a model (topology and weights) to a folder, creating it if needed. */
export async function saveModel(model: tf.LayersModel, dir: string): Promise<void> {
  await model.save(fileHandler(dir));
}

/** Loads a model saved by saveModel; malformed JSON or mismatched tensors raise ModelFormatError. */
export async function loadModel(dir: string): Promise<tf.LayersModel> {
  const artifacts = readArtifacts(dir);
  try {
    return await tf.loadLayersModel(tf.io.fromMemory(artifacts));
  } catch (err) {
    throw new ModelFormatError(`${path.join(dir, MODEL_FILES.json)}: the weights do not fit the model topology`, { cause: err });
  }
}
