/*
 * 2026-08 declarations and schema editors (facts §9 "Function declarations dialog"): Save
 * rejects anything outside Gemini's OpenAPI subset with an "Unknown key" error, the subset being
 * what the wire can carry (facts §3.2 "Schema wire": type, format, description, nullable, enum,
 * items, properties, required). A declaration may have only name, description and parameters.
 * So `additionalProperties`, `$defs`/`$ref`, `anyOf`, `title`, `default`, … are refused, and a
 * driver must strip them itself. Each check returns the first error, or null when it passes.
 */

const SCHEMA_KEYS = new Set([
  "type",
  "format",
  "description",
  "nullable",
  "enum",
  "items",
  "properties",
  "required",
]);
const DECLARATION_KEYS = new Set(["name", "description", "parameters"]);
const TYPES = new Set(["string", "number", "integer", "boolean", "array", "object"]);
/** The public API's rule for function names. */
const FUNCTION_NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/;

type JsonObject = { [key: string]: unknown };
const isObject = (v: unknown): v is JsonObject =>
  typeof v === "object" && v !== null && !Array.isArray(v);
const isStringList = (v: unknown) => Array.isArray(v) && v.every((e) => typeof e === "string");
const join = (path: string, key: string) => (path === "" ? key : `${path}.${key}`);

/** `root` names the top of the document in messages ("the top level", a declaration). */
export function checkSchema(node: unknown, path: string, root = "the top level"): string | null {
  const where = path === "" ? root : path;
  if (!isObject(node)) return `Expected a schema object at ${where}`;
  for (const key of Object.keys(node))
    if (!SCHEMA_KEYS.has(key)) return `Unknown key "${key}" at ${where}`;
  const { type, format, description, nullable, enum: values, items, properties, required } = node;
  if (type !== undefined && (typeof type !== "string" || !TYPES.has(type.toLowerCase())))
    return `Invalid type ${JSON.stringify(type)} at ${where}`;
  for (const [key, value] of [
    ["format", format],
    ["description", description],
  ] as const)
    if (value !== undefined && typeof value !== "string")
      return `"${key}" must be a string at ${where}`;
  if (nullable !== undefined && typeof nullable !== "boolean")
    return `"nullable" must be true or false at ${where}`;
  if (values !== undefined && !isStringList(values))
    return `"enum" must be a list of strings at ${where}`;
  if (required !== undefined && !isStringList(required))
    return `"required" must be a list of strings at ${where}`;
  if (items !== undefined) {
    const error = checkSchema(items, join(path, "items"), root);
    if (error) return error;
  }
  if (properties !== undefined) {
    if (!isObject(properties)) return `"properties" must be an object at ${where}`;
    for (const [name, sub] of Object.entries(properties)) {
      const error = checkSchema(sub, join(join(path, "properties"), name), root);
      if (error) return error;
    }
  }
  return null;
}

export function checkDeclarations(value: unknown): string | null {
  if (!Array.isArray(value)) return "Function declarations must be a JSON list";
  for (const [i, declaration] of value.entries()) {
    if (!isObject(declaration)) return `Declaration ${i + 1} must be an object`;
    const root = `declaration ${i + 1}`;
    for (const key of Object.keys(declaration))
      if (!DECLARATION_KEYS.has(key)) return `Unknown key "${key}" at ${root}`;
    const { name, description, parameters } = declaration;
    if (typeof name !== "string" || !FUNCTION_NAME.test(name))
      return `Invalid function name ${JSON.stringify(name ?? null)} at ${root}`;
    if (description !== undefined && typeof description !== "string")
      return `"description" must be a string at ${root}`;
    if (parameters !== undefined) {
      const error = checkSchema(parameters, "parameters", root);
      if (error) return error;
    }
  }
  return null;
}

/** The schema as the page keeps it: type names lower-cased, as the wire encoder expects. */
export function normaliseTypes<T>(value: T): T {
  if (Array.isArray(value)) return value.map(normaliseTypes) as T;
  if (!isObject(value)) return value;
  const out: JsonObject = {};
  for (const [key, sub] of Object.entries(value))
    out[key] = key === "type" && typeof sub === "string" ? sub.toLowerCase() : normaliseTypes(sub);
  return out as T;
}
