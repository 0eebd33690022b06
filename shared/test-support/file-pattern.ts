/**
 * The bytes of the attachment tests' files: a known pattern, so the server that sends them and
 * the test that checks what arrived can both rebuild them from a size.
 */
export const patternByte = (i: number): number => (i * 31 + 7) & 0xff;

export function pattern(size: number, from = 0): Uint8Array {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = patternByte(from + i);
  return bytes;
}
