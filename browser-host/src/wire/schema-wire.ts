import type { Json } from "./struct-value.js";

/*
 * OpenAPI-style Schema in JSPB (facts §3.2): [0] type (1 STRING, 2 NUMBER, 3 INTEGER,
 * 4 BOOLEAN, 5 ARRAY, 6 OBJECT), [1] format, [2] description, [3] nullable, [4] enum, [5] items,
 * [6] properties [[name, Schema], …], [7] required, [22] property ordering (the page fills it
 * with the property names, as in captures/request-gemma-structured-tools.json).
 */

const TYPES = ["", "string", "number", "integer", "boolean", "array", "object"] as const;
type JsonSchema = { [key: string]: Json };

export function jsonSchemaToWire(schema: JsonSchema): unknown[] {
  const wire: unknown[] = [];
  let type = schema.type;
  let nullable = false;
  if (Array.isArray(type)) {
    nullable = type.includes("null");
    type = type.find((t) => t !== "null") ?? "string";
  }
  const code = TYPES.indexOf(
    (typeof type === "string" ? type : "object") as (typeof TYPES)[number],
  );
  wire[0] = code > 0 ? code : 6;
  if (typeof schema.format === "string") wire[1] = schema.format;
  if (typeof schema.description === "string") wire[2] = schema.description;
  if (nullable || schema.nullable === true) wire[3] = 1;
  if (Array.isArray(schema.enum)) wire[4] = schema.enum.map(String);
  if (schema.items && typeof schema.items === "object" && !Array.isArray(schema.items))
    wire[5] = jsonSchemaToWire(schema.items);
  const properties = schema.properties;
  if (properties && typeof properties === "object" && !Array.isArray(properties)) {
    wire[6] = Object.entries(properties).map(([name, sub]) => [
      name,
      jsonSchemaToWire((sub ?? {}) as JsonSchema),
    ]);
    wire[22] = Object.keys(properties);
  }
  if (Array.isArray(schema.required) && schema.required.length > 0) wire[7] = schema.required;
  // JSPB has no holes: fill them with nulls so the array serialises as positional JSON.
  return Array.from(wire, (v) => (v === undefined ? null : v));
}

export function wireToJsonSchema(wire: unknown): JsonSchema {
  if (!Array.isArray(wire)) return {};
  const out: JsonSchema = {};
  const type = TYPES[typeof wire[0] === "number" ? wire[0] : 0];
  if (type) out.type = type;
  if (typeof wire[1] === "string") out.format = wire[1];
  if (typeof wire[2] === "string") out.description = wire[2];
  if (wire[3] === 1 || wire[3] === true) out.nullable = true;
  if (Array.isArray(wire[4])) out.enum = wire[4] as Json[];
  if (Array.isArray(wire[5])) out.items = wireToJsonSchema(wire[5]);
  if (Array.isArray(wire[6])) {
    const properties: JsonSchema = {};
    for (const entry of wire[6])
      if (Array.isArray(entry) && typeof entry[0] === "string")
        properties[entry[0]] = wireToJsonSchema(entry[1]);
    out.properties = properties;
  }
  if (Array.isArray(wire[7])) out.required = wire[7] as Json[];
  return out;
}
