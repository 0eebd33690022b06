import { z } from "zod";
import { toGeminiSchema } from "./gemini-schema.js";
import { withinDepth } from "./json-depth.js";

/*
 * Fields every door's request schema has: free-form objects the client owns (bounded in depth,
 * so what validation lets through can be serialised and cloned without overflowing the stack)
 * and JSON Schemas that must survive conversion to AI Studio's subset.
 */

/** A free-form JSON object, bounded in depth (json-depth.ts). */
export const freeForm = () => withinDepth(z.record(z.string(), z.unknown()));

/** A JSON Schema that must survive conversion to AI Studio's subset (gemini-schema.ts). */
export const convertibleSchema = () =>
  freeForm().superRefine((schema, ctx) => {
    const converted = toGeminiSchema(schema);
    if (!converted.ok)
      ctx.addIssue({ code: "custom", message: converted.message, path: converted.path });
  });
