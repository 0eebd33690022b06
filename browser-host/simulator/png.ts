import { crc32, deflateSync } from "node:zlib";

/*
 * A minimal PNG writer and reader for the simulated image model: a real file (signature, IHDR,
 * IDAT, IEND, each chunk with its CRC-32), 8-bit RGB, so any decoder accepts it.
 */

export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, "latin1"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A width × height PNG of one colour. */
export function solidPng(width: number, height: number, rgb: [number, number, number]): Buffer {
  const pixels = Buffer.alloc(width * height * 3);
  for (let i = 0; i < pixels.length; i += 3) pixels.set(rgb, i);
  return rgbPng(width, height, pixels);
}

/** A width × height PNG of the given 8-bit RGB pixels, row by row (3 bytes a pixel). */
export function rgbPng(width: number, height: number, pixels: Buffer): Buffer {
  if (pixels.length !== width * height * 3)
    throw new Error(`rgbPng: ${pixels.length} bytes for ${width}x${height} pixels`);
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type: RGB
  // [10] compression, [11] filter, [12] interlace: all 0
  // Each row is its filter byte (0, None) and then its pixels.
  const raw = Buffer.alloc(height * (1 + width * 3));
  for (let y = 0; y < height; y++)
    pixels.copy(raw, y * (1 + width * 3) + 1, y * width * 3, (y + 1) * width * 3);
  return Buffer.concat([
    PNG_SIGNATURE,
    chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(raw)),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

/** The width and height in a PNG's IHDR, or null when the bytes are not a PNG. */
export function pngSize(bytes: Buffer): { w: number; h: number } | null {
  if (bytes.length < 24 || !bytes.subarray(0, 8).equals(PNG_SIGNATURE)) return null;
  if (bytes.toString("latin1", 12, 16) !== "IHDR") return null;
  return { w: bytes.readUInt32BE(16), h: bytes.readUInt32BE(20) };
}
