import type { z } from "zod";
import { MAX_JSON_DEPTH, exceedsDepth, paramOf } from "@aistudio-edge/shared";
import { ApiError } from "./errors.js";
import { secretsEqual } from "./keys/key-material.js";

/**
 * Parses the body `bodyLimit` read (`c.get("body")`) as JSON, answering 400 `invalid_json`
 * rather than throwing a SyntaxError. It reads nothing itself: a route without `bodyLimit` in
 * its chain (after its authentication) is a bug, refused here rather than reading a body of
 * any size.
 */
export function readJson(body: Uint8Array | undefined): unknown {
  if (body === undefined)
    throw new Error("readJson: this route has no bodyLimit in its middleware chain");
  try {
    return JSON.parse(new TextDecoder().decode(body));
  } catch (err) {
    throw new ApiError(
      "invalid_json",
      `The body is not valid JSON: ${err instanceof Error ? err.message : String(err)}`,
      { cause: err },
    );
  }
}

/**
 * No validated body nests deeper than this. The schemas bound each free-form field at
 * MAX_JSON_DEPTH and their own shape adds a few levels; this backstop catches a field a schema
 * forgot to bound, before anything recursive (JSON.stringify, a Durable Object call) sees it.
 */
export const MAX_BODY_DEPTH = 2 * MAX_JSON_DEPTH;

/** Validates a body, answering 400 `invalid_request` that names the first bad field. */
export function parseBody<T>(schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const param = issue ? paramOf(issue.path) : null;
    throw new ApiError(
      "invalid_request",
      `${param ?? "body"}: ${issue?.message ?? "invalid request"}`,
      { param },
    );
  }
  if (exceedsDepth(parsed.data, MAX_BODY_DEPTH)) {
    const fields =
      typeof parsed.data === "object" && parsed.data !== null ? Object.entries(parsed.data) : [];
    const param = fields.find(([, field]) => exceedsDepth(field, MAX_BODY_DEPTH - 1))?.[0] ?? null;
    throw new ApiError(
      "invalid_request",
      `${param ?? "body"}: nested more than ${MAX_BODY_DEPTH} levels deep`,
      { param },
    );
  }
  return parsed.data;
}

/** The token of an `Authorization: Bearer …` header, if there is one. */
export function bearerToken(authorization: string | undefined): string | undefined {
  const token = /^Bearer\s+(.+)$/i.exec(authorization?.trim() ?? "")?.[1]?.trim();
  return token === "" ? undefined : token;
}

/** Whether the request's bearer token equals a configured secret (compared in constant time). */
export async function hasBearerSecret(
  authorization: string | undefined,
  expected: string,
): Promise<boolean> {
  const given = bearerToken(authorization);
  return given !== undefined && (await secretsEqual(given, expected));
}
