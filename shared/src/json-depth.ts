import type { z } from "zod";

/*
 * A client's JSON can nest as deep as its size allows: a 64 KB body holds 10,000 levels of
 * `{"a":`, an 8 MB one millions of `[`. JSON.parse copes, but JSON.stringify, structured clone
 * (Durable Object calls) and any recursive walk after it overflow the stack and turn a bad
 * request into a 500. So every free-form field (a tool's parameters, a response schema, the
 * pass-through objects) is bounded at validation, and the check is a loop over an explicit stack
 * so that checking cannot overflow either.
 */

/** How deep a free-form field may nest. JSON Schema spends two levels per nested object. */
export const MAX_JSON_DEPTH = 64;

/**
 * Whether a value nests more than `maxDepth` levels: a scalar is 0 levels, `{}` and `[]` are 1,
 * `{"a":[]}` is 2. Stops at the first container past the limit, so a cycle ends too.
 */
export function exceedsDepth(value: unknown, maxDepth: number): boolean {
  const stack: Array<{ value: unknown; depth: number }> = [{ value, depth: 0 }];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    if (typeof item.value !== "object" || item.value === null) continue;
    const depth = item.depth + 1;
    if (depth > maxDepth) return true;
    const children: unknown[] = Array.isArray(item.value) ? item.value : Object.values(item.value);
    for (const child of children) {
      if (typeof child === "object" && child !== null) stack.push({ value: child, depth });
    }
  }
  return false;
}

/** A schema that also refuses values nested deeper than `maxDepth`; the path is the field's. */
export function withinDepth<T extends z.ZodType>(schema: T, maxDepth = MAX_JSON_DEPTH): T {
  return schema.refine((value) => !exceedsDepth(value, maxDepth), {
    message: `nested more than ${maxDepth} levels deep`,
  });
}
