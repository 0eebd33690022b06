import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app-types.js";
import { ApiError } from "../errors.js";
import { KEY_PATTERN } from "../keys/key-material.js";
import { KeyStore } from "../keys/key-store.js";
import { bearerToken } from "../validate.js";

/** The key as OpenAI (`Authorization: Bearer`), Anthropic-style (`x-api-key`) and Google clients send it. */
export function presentedKey(headers: {
  header(name: string): string | undefined;
}): string | undefined {
  return (
    bearerToken(headers.header("authorization")) ??
    headers.header("x-api-key")?.trim() ??
    headers.header("x-goog-api-key")?.trim()
  );
}

/** Resolves the caller's API key to its record, or answers 401. The key itself goes no further. */
export const apiKey = createMiddleware<AppEnv>(async (c, next) => {
  // Google's clients may put the key in the URL (`?key=`); only the Gemini door reads it there,
  // so that other doors do not teach clients to leak keys into URLs and access logs.
  const key =
    presentedKey(c.req) ?? (c.get("door") === "gemini" ? c.req.query("key")?.trim() : undefined);
  if (key === undefined || key === "") {
    throw new ApiError(
      "missing_api_key",
      "You didn't provide an API key. Send it as 'Authorization: Bearer sk-…' (or in x-api-key / x-goog-api-key, or ?key= on /v1beta).",
    );
  }
  const record = KEY_PATTERN.test(key) ? await new KeyStore(c.env.KEYS).lookup(key) : null;
  if (record === null || record.revoked !== null) {
    throw new ApiError(
      "invalid_api_key",
      "Incorrect API key provided. Create one with 'npm run keys -- create <name>'.",
    );
  }
  c.set("apiKey", record);
  await next();
});
