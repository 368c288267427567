// Reader and writer for the IDX format of the MNIST files: a big-endian header (magic
// 0x0000 08 <ndims>, then one uint32 per dimension) followed by unsigned bytes.
// Images are [n, rows, cols] or [n, rows, cols, channels]; labels are [n].
import { closeSync, fstatSync, openSync, readSync, writeFileSync } from "fs";
import { DataFormatError } from "../../errors";
import type { Dataset } from "./dataset";

const UBYTE = 0x08;

/** Raw content of an IDX file of unsigned bytes. */
export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

function readExactly(fd: number, file: string, length: number, position: number, what: string): Buffer {
  const buf = Buffer.alloc(length);
  const got = length === 0 ? 0 : readSync(fd, buf, 0, length, position);
  if (got !== length) throw new DataFormatError(file, `truncated ${what}: expected ${length} bytes, read ${got}`);
  return buf;
}

/**
 * Reads an IDX file of unsigned bytes with the expected number of dimensions, checking the magic
 * number and that the file size equals header + product(dims); `limit` keeps the first items.
 */
export function readIdx(file: string, expectedDims: number[], limit?: number): IdxArray {
  let fd: number;
  try {
    fd = openSync(file, "r");
  } catch (err) {
    throw new DataFormatError(file, "cannot open IDX file", { cause: err });
  }
  try {
    const size = fstatSync(fd).size;
    if (size < 4) throw new DataFormatError(file, `truncated header: file has ${size} bytes, magic number needs 4`);
    const magic = readExactly(fd, file, 4, 0, "magic number");
    const ndims = magic[3];
    if (magic[0] !== 0 || magic[1] !== 0 || magic[2] !== UBYTE) {
      throw new DataFormatError(file, `bad magic number 0x${magic.toString("hex")}: expected 0x000008xx (unsigned bytes)`);
    }
    if (!expectedDims.includes(ndims)) {
      throw new DataFormatError(file, `has ${ndims} dimensions, expected ${expectedDims.join(" or ")}`);
    }
    const headerLength = 4 + 4 * ndims;
    if (size < headerLength) {
      throw new DataFormatError(file, `truncated header: file has ${size} bytes, header needs ${headerLength}`);
    }
    const header = readExactly(fd, file, 4 * ndims, 4, "dimensions");
    const dims = Array.from({ length: ndims }, (_, i) => header.readUInt32BE(4 * i));
    const itemSize = dims.slice(1).reduce((a, b) => a * b, 1);
    const expected = headerLength + dims[0] * itemSize;
    if (size < expected) {
      throw new DataFormatError(file, `truncated data: header [${dims.join(", ")}] needs ${expected} bytes, file has ${size}`);
    }
    if (size > expected) {
      throw new DataFormatError(file, `${size - expected} unexpected trailing bytes after [${dims.join(", ")}] items`);
    }
    const n = limit === undefined ? dims[0] : Math.max(0, Math.min(limit, dims[0]));
    const data = readExactly(fd, file, n * itemSize, headerLength, "data");
    return { dims: [n, ...dims.slice(1)], data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
  } finally {
    closeSync(fd);
  }
}

/** Reads an IDX image file into pixels scaled to [0, 1] with the image shape. */
export function readIdxImages(file: string, limit?: number): Pick<Dataset, "images" | "n" | "height" | "width" | "channels"> {
  const { dims, data } = readIdx(file, [3, 4], limit);
  const images = new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) images[i] = data[i] / 255;
  return { images, n: dims[0], height: dims[1], width: dims[2], channels: dims[3] ?? 1 };
}

/** Reads an IDX label file, checking every label is below numClasses. */
export function readIdxLabels(file: string, numClasses: number, limit?: number): Uint8Array {
  const { data } = readIdx(file, [1], limit);
  const bad = data.findIndex((y) => y >= numClasses);
  if (bad >= 0) throw new DataFormatError(file, `label ${data[bad]} at index ${bad} is not below ${numClasses}`);
  return data;
}

/** Reads a pair of IDX files into a Dataset, checking that they hold the same number of samples. */
export function readIdxDataset(imagesFile: string, labelsFile: string, numClasses: number, limit?: number): Dataset {
  const images = readIdxImages(imagesFile, limit);
  const labels = readIdxLabels(labelsFile, numClasses, limit);
  if (labels.length !== images.n) {
    throw new DataFormatError(labelsFile, `holds ${labels.length} labels but ${imagesFile} holds ${images.n} images`);
  }
  return { ...images, labels, numClasses };
}

function header(dims: number[]): Buffer {
  const buf = Buffer.alloc(4 + 4 * dims.length);
  buf[2] = UBYTE;
  buf[3] = dims.length;
  dims.forEach((d, i) => buf.writeUInt32BE(d, 4 + 4 * i));
  return buf;
}

/** Writes the images of a dataset as an IDX file (pixels rounded to bytes; 4 dims if channels > 1). */
export function writeIdxImages(file: string, ds: Dataset): void {
  const dims = ds.channels === 1 ? [ds.n, ds.height, ds.width] : [ds.n, ds.height, ds.width, ds.channels];
  const body = Buffer.alloc(ds.images.length);
  for (let i = 0; i < ds.images.length; i++) body[i] = Math.round(Math.min(1, Math.max(0, ds.images[i])) * 255);
  writeFileSync(file, Buffer.concat([header(dims), body]));
}

/** Writes a label array as an IDX file. */
export function writeIdxLabels(file: string, labels: Uint8Array): void {
  writeFileSync(file, Buffer.concat([header([labels.length]), Buffer.from(labels)]));
}
