import type { z } from "zod";
import { paramOf } from "@aistudio-edge/shared";
import { ApiError } from "./errors.js";
import { secretsEqual } from "./keys/key-material.js";

/** Reads a body as JSON, answering 400 `invalid_json` rather than throwing a SyntaxError. */
export async function readJson(req: Request): Promise<unknown> {
  const text = await req.text();
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ApiError("invalid_json", `The body is not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** Validates a body, answering 400 `invalid_request` that names the first bad field. */
export function parseBody<T>(schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const param = issue ? paramOf(issue.path) : null;
  throw new ApiError("invalid_request", `${param ?? "body"}: ${issue?.message ?? "invalid request"}`, { param });
}

/** The token of an `Authorization: Bearer …` header, if there is one. */
export function bearerToken(authorization: string | undefined): string | undefined {
  const token = /^Bearer\s+(.+)$/i.exec(authorization?.trim() ?? "")?.[1]?.trim();
  return token === "" ? undefined : token;
}

/** Whether the request's bearer token equals a configured secret (compared in constant time). */
export async function hasBearerSecret(authorization: string | undefined, expected: string): Promise<boolean> {
  const given = bearerToken(authorization);
  return given !== undefined && (await secretsEqual(given, expected));
}
