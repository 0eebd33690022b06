/*
 * google.protobuf.Struct / Value in JSPB (facts §3.2): Struct = `[[[key, Value], …]]`,
 * Value = `[null_value, number, string, bool, struct, list]` by position, ListValue = `[[Value…]]`.
 * A Value that is `[null]` (or has nothing set) is JSON null.
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export function decodeValue(value: unknown): Json {
  if (!Array.isArray(value)) return null;
  if (value[5] !== undefined && value[5] !== null) return decodeList(value[5]);
  if (value[4] !== undefined && value[4] !== null) return decodeStruct(value[4]);
  if (value[3] !== undefined && value[3] !== null) return value[3] === 1 || value[3] === true;
  if (typeof value[2] === "string") return value[2];
  if (typeof value[1] === "number") return value[1];
  return null;
}

export function decodeList(list: unknown): Json[] {
  return Array.isArray(list) && Array.isArray(list[0]) ? list[0].map(decodeValue) : [];
}

export function decodeStruct(struct: unknown): { [key: string]: Json } {
  const out: { [key: string]: Json } = {};
  if (!Array.isArray(struct) || !Array.isArray(struct[0])) return out;
  for (const field of struct[0]) {
    if (Array.isArray(field) && typeof field[0] === "string") out[field[0]] = decodeValue(field[1]);
  }
  return out;
}

export function encodeValue(value: Json): unknown[] {
  if (value === null) return [null];
  if (typeof value === "number") return [null, value];
  if (typeof value === "string") return [null, null, value];
  if (typeof value === "boolean") return [null, null, null, value ? 1 : 0];
  if (Array.isArray(value)) return [null, null, null, null, null, [value.map(encodeValue)]];
  return [null, null, null, null, encodeStruct(value)];
}

export function encodeStruct(value: { [key: string]: Json }): unknown[] {
  return [Object.entries(value).map(([k, v]) => [k, encodeValue(v)])];
}
