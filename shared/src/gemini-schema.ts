/*
 * JSON Schema as clients send it → the OpenAPI subset AI Studio accepts. The page's function
 * declarations dialog and structured-output editor refuse keys outside that subset with
 * "Unknown key" (facts §9), and its wire form carries only type, format, description, nullable,
 * enum, items, properties and required (facts §3.2). Coding agents, openai-python's `.parse()`,
 * zod-to-json-schema and LangChain send `$ref`/`$defs`, `type: [X, "null"]`, `anyOf` with null,
 * `const`, `additionalProperties`, `strict`, bounds…
 *
 * What keeps its meaning is converted: references are inlined (a cycle is refused), null in a
 * type list or `anyOf` becomes `nullable`, `const` a one-value `enum`, an `allOf` of objects one
 * object, a title with no description the description. Annotations and bounds the subset lacks
 * are dropped, and so are keywords JSON Schema does not define — the model still sees names,
 * types and descriptions. What would change what the
 * schema allows — a union of several types, `not`, conditionals, tuples, remote references — is
 * refused with the path of the key, so the client gets a 400 it can act on instead of a page
 * error or a silently different schema.
 */

export interface GeminiSchema {
  type?: "string" | "number" | "integer" | "boolean" | "array" | "object";
  format?: string;
  description?: string;
  nullable?: boolean;
  enum?: string[];
  items?: GeminiSchema;
  properties?: Record<string, GeminiSchema>;
  required?: string[];
}

export type SchemaPath = Array<string | number>;
export type SchemaConversion =
  { ok: true; schema: GeminiSchema } | { ok: false; path: SchemaPath; message: string };

const TYPES = new Set(["string", "number", "integer", "boolean", "array", "object"]);
/** Formats the subset knows; any other format is an annotation and is dropped. */
const FORMATS: Record<string, Set<string>> = {
  string: new Set(["enum", "date-time"]),
  number: new Set(["float", "double"]),
  integer: new Set(["int32", "int64"]),
};
/** Constructs that restrict what is valid in ways the subset cannot say. */
const REFUSED: Record<string, string> = {
  not: "'not' cannot be expressed in AI Studio's schema subset",
  if: "conditional schemas (if/then/else) cannot be expressed in AI Studio's schema subset",
  then: "conditional schemas (if/then/else) cannot be expressed in AI Studio's schema subset",
  else: "conditional schemas (if/then/else) cannot be expressed in AI Studio's schema subset",
  dependentSchemas: "'dependentSchemas' cannot be expressed in AI Studio's schema subset",
  dependentRequired: "'dependentRequired' cannot be expressed in AI Studio's schema subset",
  dependencies: "'dependencies' cannot be expressed in AI Studio's schema subset",
  prefixItems: "tuples (prefixItems) cannot be expressed in AI Studio's schema subset",
  $dynamicRef: "'$dynamicRef' is not supported; inline the schema",
};
/** Bounds on the result: inlining references can multiply a schema's size. */
const MAX_NODES = 5_000;
const MAX_DEPTH = 64;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

class Refusal {
  constructor(
    readonly path: SchemaPath,
    readonly message: string,
  ) {}
}

const isObject = (v: unknown): v is JsonObject =>
  typeof v === "object" && v !== null && !Array.isArray(v);

export function toGeminiSchema(input: unknown): SchemaConversion {
  if (!isObject(input)) return { ok: false, path: [], message: "a schema must be a JSON object" };
  const converter = new Converter(input);
  try {
    return { ok: true, schema: converter.convert(input, [], [], 0) };
  } catch (err) {
    if (err instanceof Refusal) return { ok: false, path: err.path, message: err.message };
    throw err;
  }
}

class Converter {
  private nodes = 0;

  constructor(private readonly root: JsonObject) {}

  convert(node: Json, path: SchemaPath, refs: string[], depth: number): GeminiSchema {
    if (++this.nodes > MAX_NODES)
      throw new Refusal(
        path,
        `the schema is larger than ${MAX_NODES} nodes once its references are inlined`,
      );
    if (depth > MAX_DEPTH)
      throw new Refusal(
        path,
        `the schema is nested deeper than ${MAX_DEPTH} levels once its references are inlined`,
      );
    if (node === true) return {};
    if (!isObject(node)) throw new Refusal(path, "a schema must be a JSON object");

    for (const key of Object.keys(node))
      if (key in REFUSED) throw new Refusal([...path, key], REFUSED[key]!);

    if (typeof node.$ref === "string") return this.reference(node, path, refs, depth);
    if (node.$ref !== undefined) throw new Refusal([...path, "$ref"], "'$ref' must be a string");

    // Combinators first: their result is merged with what stands beside them.
    let base: GeminiSchema = {};
    if (node.allOf !== undefined) base = this.allOf(node.allOf, [...path, "allOf"], refs, depth);
    for (const key of ["anyOf", "oneOf"] as const) {
      if (node[key] !== undefined)
        base = merge(base, this.anyOf(node[key], [...path, key], refs, depth), [...path, key]);
    }

    const out: GeminiSchema = { ...base };
    let nullable = base.nullable === true || node.nullable === true;

    const type = this.typeOf(node, path);
    if (type.nullable) nullable = true;
    if (type.type) {
      if (out.type && out.type !== type.type)
        throw new Refusal(
          [...path, "type"],
          `'type' ${type.type} contradicts the combined schema's ${out.type}`,
        );
      out.type = type.type;
    }

    if (node.const !== undefined) {
      if (node.const === null) nullable = true;
      else this.setEnum(out, [node.const], [...path, "const"]);
    }
    if (node.enum !== undefined) {
      if (!Array.isArray(node.enum))
        throw new Refusal([...path, "enum"], "'enum' must be an array");
      if (node.enum.includes(null)) nullable = true;
      this.setEnum(
        out,
        node.enum.filter((v) => v !== null),
        [...path, "enum"],
      );
    }

    if (typeof node.description === "string") out.description = node.description;
    else if (typeof node.title === "string" && out.description === undefined)
      out.description = node.title;

    if (node.properties !== undefined) {
      if (!isObject(node.properties))
        throw new Refusal([...path, "properties"], "'properties' must be an object");
      const properties: Record<string, GeminiSchema> = { ...out.properties };
      for (const [name, sub] of Object.entries(node.properties)) {
        properties[name] = this.convert(sub, [...path, "properties", name], refs, depth + 1);
      }
      out.properties = properties;
      out.type ??= "object";
    }
    if (node.required !== undefined) {
      if (!Array.isArray(node.required) || !node.required.every((r) => typeof r === "string")) {
        throw new Refusal([...path, "required"], "'required' must be an array of property names");
      }
      const known = new Set(Object.keys(out.properties ?? {}));
      // A required name with no property would make the page refuse the declaration.
      const required = [
        ...new Set([...(out.required ?? []), ...(node.required as string[])]),
      ].filter((r) => known.has(r));
      if (required.length > 0) out.required = required;
    }
    if (node.items !== undefined) {
      if (Array.isArray(node.items))
        throw new Refusal(
          [...path, "items"],
          "tuples (an array of item schemas) cannot be expressed in AI Studio's schema subset",
        );
      out.items = this.convert(node.items, [...path, "items"], refs, depth + 1);
      out.type ??= "array";
    }

    if (typeof node.format === "string" && out.type && FORMATS[out.type]?.has(node.format))
      out.format = node.format;
    if (nullable) out.nullable = true;

    // Every other keyword is dropped: annotations and bounds the subset has no room for
    // (title, default, examples, strict, additionalProperties, minimum, pattern, minItems…), and
    // keywords JSON Schema does not define, which validators ignore too (VS Code's
    // markdownDescription and enumDescriptions in MCP tools, x- vendor keys).
    return ordered(out);
  }

  private reference(
    node: JsonObject,
    path: SchemaPath,
    refs: string[],
    depth: number,
  ): GeminiSchema {
    const ref = node.$ref as string;
    const where = [...path, "$ref"];
    if (refs.includes(ref))
      throw new Refusal(
        where,
        `the reference '${ref}' refers to itself (a recursive schema), which AI Studio's schema subset cannot express`,
      );
    if (ref === "#")
      throw new Refusal(
        where,
        "a reference to the whole schema is recursive, which AI Studio's schema subset cannot express",
      );
    // Local JSON pointers: #/$defs/X (pydantic), #/definitions/X, #/properties/a/… (zod-to-json-schema).
    if (!ref.startsWith("#/"))
      throw new Refusal(
        where,
        `only references inside the schema (#/…) can be inlined; got '${ref}'`,
      );
    let target: Json | undefined = this.root;
    for (const raw of ref.slice(2).split("/")) {
      const key = decodeURIComponent(raw).replaceAll("~1", "/").replaceAll("~0", "~");
      target = Array.isArray(target)
        ? target[Number(key)]
        : isObject(target) && Object.hasOwn(target, key)
          ? target[key]
          : undefined;
      if (target === undefined) break;
    }
    if (target === undefined)
      throw new Refusal(where, `the reference '${ref}' points at nothing in the schema`);
    const inlined = this.convert(target, where, [...refs, ref], depth + 1);
    // Keys beside a $ref (a description, say) refine what it points to.
    const { $ref: _ref, ...beside } = node;
    if (Object.keys(beside).length === 0) return inlined;
    return ordered(merge(inlined, this.convert(beside, path, refs, depth + 1), path));
  }

  private allOf(list: Json, path: SchemaPath, refs: string[], depth: number): GeminiSchema {
    if (!Array.isArray(list) || list.length === 0)
      throw new Refusal(path, "'allOf' must be a non-empty array");
    return list.reduce<GeminiSchema>(
      (acc, sub, i) => merge(acc, this.convert(sub, [...path, i], refs, depth + 1), [...path, i]),
      {},
    );
  }

  private anyOf(list: Json, path: SchemaPath, refs: string[], depth: number): GeminiSchema {
    if (!Array.isArray(list) || list.length === 0)
      throw new Refusal(path, `'${String(path.at(-1))}' must be a non-empty array`);
    const options = list.map((sub, i) => ({
      schema: this.convert(sub, [...path, i], refs, depth + 1),
      i,
    }));
    const isNull = (s: GeminiSchema) => Object.keys(s).length === 1 && s.nullable === true;
    const nullAllowed = options.some((o) => isNull(o.schema) || o.schema.nullable === true);
    const real = options.filter((o) => !isNull(o.schema));
    if (real.length === 0) return { nullable: true };
    if (real.length === 1)
      return { ...real[0]!.schema, ...(nullAllowed ? { nullable: true } : {}) };
    // Several values of one type (a union of consts, Literal["a", "b"]) are one enum.
    if (
      real.every(
        (o) =>
          o.schema.enum !== undefined &&
          o.schema.type === real[0]!.schema.type &&
          !o.schema.properties,
      )
    ) {
      const values = [...new Set(real.flatMap((o) => o.schema.enum!))];
      return {
        ...(real[0]!.schema.type ? { type: real[0]!.schema.type } : {}),
        enum: values,
        ...(nullAllowed ? { nullable: true } : {}),
      };
    }
    throw new Refusal(
      [...path, real[1]!.i],
      "a union of several types cannot be expressed in AI Studio's schema subset (only one type, optionally null)",
    );
  }

  private typeOf(
    node: JsonObject,
    path: SchemaPath,
  ): { type?: GeminiSchema["type"]; nullable: boolean } {
    const raw = node.type;
    if (raw === undefined) return { nullable: false };
    const list = Array.isArray(raw) ? raw : [raw];
    if (!list.every((t) => typeof t === "string"))
      throw new Refusal([...path, "type"], "'type' must be a string or an array of strings");
    const nullable = list.includes("null");
    const types = [...new Set((list as string[]).filter((t) => t !== "null"))];
    for (const t of types)
      if (!TYPES.has(t)) throw new Refusal([...path, "type"], `'${t}' is not a JSON Schema type`);
    if (types.length > 1)
      throw new Refusal(
        [...path, "type"],
        `a value of several types (${types.join(", ")}) cannot be expressed in AI Studio's schema subset`,
      );
    return { type: types[0] as GeminiSchema["type"], nullable };
  }

  /** AI Studio's enums are strings; other values are kept, as text, on a string schema. */
  private setEnum(out: GeminiSchema, values: Json[], path: SchemaPath): void {
    if (values.some((v) => typeof v === "object" && v !== null))
      throw new Refusal(path, "enum values must be strings, numbers or booleans");
    const strings = values.map((v) => String(v));
    if (values.every((v) => typeof v === "string")) out.type ??= "string";
    else {
      // A number or boolean enum: described rather than enforced, since the page only has string enums.
      const allowed = `One of: ${strings.join(", ")}.`;
      out.type ??=
        typeof values[0] === "boolean"
          ? "boolean"
          : Number.isInteger(values[0])
            ? "integer"
            : "number";
      out.description = out.description ? `${out.description} ${allowed}` : allowed;
      return;
    }
    out.enum = out.enum ? out.enum.filter((v) => strings.includes(v)) : strings;
    if (out.enum.length === 0)
      throw new Refusal(path, "the enum allows no value together with the rest of the schema");
  }
}

/** Two schemas that must both hold, as one; a contradiction is refused. */
function merge(a: GeminiSchema, b: GeminiSchema, path: SchemaPath): GeminiSchema {
  if (a.type && b.type && a.type !== b.type)
    throw new Refusal(path, `the combined schemas disagree on the type (${a.type} and ${b.type})`);
  const out: GeminiSchema = { ...a, ...b };
  if (a.type || b.type) out.type = (a.type ?? b.type)!;
  if (a.description && b.description && a.description !== b.description)
    out.description = `${a.description} ${b.description}`;
  if (a.properties || b.properties) out.properties = { ...a.properties, ...b.properties };
  if (a.required || b.required)
    out.required = [...new Set([...(a.required ?? []), ...(b.required ?? [])])];
  if (a.enum && b.enum) out.enum = a.enum.filter((v) => b.enum!.includes(v));
  // Both must allow null for the whole to.
  if (a.nullable !== b.nullable) delete out.nullable;
  if (a.nullable && b.nullable) out.nullable = true;
  if (Object.keys(a).length === 0) return b;
  if (Object.keys(b).length === 0) return a;
  return out;
}

function ordered(s: GeminiSchema): GeminiSchema {
  const out: GeminiSchema = {};
  if (s.type !== undefined) out.type = s.type;
  if (s.format !== undefined) out.format = s.format;
  if (s.description !== undefined) out.description = s.description;
  if (s.nullable) out.nullable = true;
  if (s.enum !== undefined) out.enum = s.enum;
  if (s.items !== undefined) out.items = s.items;
  if (s.properties !== undefined) out.properties = s.properties;
  if (s.required !== undefined && s.required.length > 0) out.required = s.required;
  return out;
}
