// Reader and writer for image datasets as CSV: one sample per line, the label first, then
// height·width·channels pixel values in 0..255 (row-major). A header line is optional and
// recognised by a non-numeric first field; blank lines are skipped.
import { readFileSync, writeFileSync } from "fs";
import { DataFormatError } from "../../errors";
import type { Dataset } from "./dataset";

/** Image shape and class count of a CSV dataset (defaults: 28×28×1, 10 classes). */
export interface CsvShape {
  height?: number;
  width?: number;
  channels?: number;
  numClasses?: number;
}

/** Parses CSV text into a Dataset; `file` only names the source in errors. */
export function parseCsvDataset(text: string, file: string, shape: CsvShape = {}): Dataset {
  const { height = 28, width = 28, channels = 1, numClasses = 10 } = shape;
  const columns = 1 + height * width * channels;
  const lines = text.split(/\r?\n/);
  const rows: { line: number; fields: string[] }[] = [];
  lines.forEach((raw, i) => {
    if (raw.trim() !== "") rows.push({ line: i + 1, fields: raw.split(",") });
  });
  if (rows.length > 0 && Number.isNaN(Number(rows[0].fields[0].trim()))) rows.shift();
  const n = rows.length;
  const images = new Float32Array(n * (columns - 1));
  const labels = new Uint8Array(n);
  rows.forEach(({ line, fields }, k) => {
    if (fields.length !== columns) {
      throw new DataFormatError(file, `line ${line} has ${fields.length} columns, expected ${columns} (label + ${columns - 1} pixels)`);
    }
    fields.forEach((field, col) => {
      const text = field.trim();
      const value = Number(text);
      if (text === "" || !Number.isFinite(value)) {
        throw new DataFormatError(file, `line ${line}, column ${col + 1}: ${JSON.stringify(field)} is not a number`);
      }
      if (col === 0) {
        if (!Number.isInteger(value) || value < 0 || value >= numClasses) {
          throw new DataFormatError(file, `line ${line}: label ${text} is not an integer in [0, ${numClasses})`);
        }
        labels[k] = value;
      } else {
        if (value < 0 || value > 255) {
          throw new DataFormatError(file, `line ${line}, column ${col + 1}: pixel ${text} is outside 0..255`);
        }
        images[k * (columns - 1) + col - 1] = value / 255;
      }
    });
  });
  return { images, labels, n, height, width, channels, numClasses };
}

/** Reads a CSV dataset file (see the header comment for the format). */
export function readCsvDataset(file: string, shape: CsvShape = {}): Dataset {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new DataFormatError(file, "cannot read CSV file", { cause: err });
  }
  return parseCsvDataset(text, file, shape);
}

/** Writes a dataset as CSV with a header line (label,p0,p1,...) and pixels rounded to 0..255. */
export function writeCsvDataset(file: string, ds: Dataset): void {
  const size = ds.height * ds.width * ds.channels;
  const out: string[] = [["label", ...Array.from({ length: size }, (_, i) => `p${i}`)].join(",")];
  for (let k = 0; k < ds.n; k++) {
    const pixels = Array.from(ds.images.subarray(k * size, (k + 1) * size), (v) => Math.round(v * 255));
    out.push(`${ds.labels[k]},${pixels.join(",")}`);
  }
  writeFileSync(file, `${out.join("\n")}\n`);
}
