/**
 * Reader for the idx format of the original MNIST files (LeCun et al.):
 * a big-endian header (magic: two zero bytes, a type code, the number of
 * dimensions), one uint32 size per dimension, then the data.
 */

export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

const UBYTE = 0x08;

export function parseIdx(buffer: ArrayBuffer | Uint8Array): IdxArray {
  const bytes = buffer instanceof Uint8Array ? buffer : new Uint8Array(buffer);
  if (bytes.length < 4) throw new Error(`idx file too short (${bytes.length} bytes)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint16(0) !== 0) throw new Error('not an idx file: magic number must start with two zero bytes');
  const type = view.getUint8(2);
  if (type !== UBYTE) throw new Error(`idx type 0x${type.toString(16)} is not supported (only unsigned bytes, 0x08)`);
  const rank = view.getUint8(3);
  const headerBytes = 4 + 4 * rank;
  if (bytes.length < headerBytes) throw new Error('idx header truncated');
  const dims: number[] = [];
  for (let i = 0; i < rank; i++) dims.push(view.getUint32(4 + 4 * i));
  const count = dims.reduce((a, b) => a * b, 1);
  if (bytes.length < headerBytes + count)
    throw new Error(`idx data truncated: header promises ${count} bytes, file has ${bytes.length - headerBytes}`);
  return { dims, data: bytes.subarray(headerBytes, headerBytes + count) };
}

/** Writes an unsigned-byte idx array (used to build the browser's data chunks). */
export function encodeIdx(dims: number[], data: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + data.length);
  const view = new DataView(out.buffer);
  view.setUint8(2, UBYTE);
  view.setUint8(3, dims.length);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d));
  out.set(data, 4 + 4 * dims.length);
  return out;
}
