import type { Context } from "hono";
import type { AppEnv } from "../app-types.js";
import { ApiError } from "../errors.js";
import { readBounded } from "../middleware/body-limit.js";

/** Console forms are a few short fields: nothing bigger is read. */
export const FORM_MAX_BYTES = 8 * 1024;

/** An `application/x-www-form-urlencoded` body, read within FORM_MAX_BYTES. */
export async function readForm(c: Context<AppEnv>): Promise<URLSearchParams> {
  const type = c.req.header("content-type")?.split(";")[0]?.trim().toLowerCase();
  if (type !== "application/x-www-form-urlencoded")
    throw new ApiError("invalid_request", "Expected a form (application/x-www-form-urlencoded).");
  const body = await readBounded(c.req.raw, FORM_MAX_BYTES);
  return new URLSearchParams(new TextDecoder().decode(body));
}

/**
 * An optional whole number field: undefined when empty, else a number within bounds, else a
 * 400 naming the field.
 */
export function optionalInt(
  form: URLSearchParams,
  field: string,
  label: string,
  min: number,
  max: number,
): number | undefined {
  const raw = form.get(field)?.trim() ?? "";
  if (raw === "") return undefined;
  const value = /^\d{1,9}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isInteger(value) || value < min || value > max)
    throw new ApiError(
      "invalid_request",
      `${label} must be a whole number from ${min} to ${max.toLocaleString("en-US")}.`,
      { param: field },
    );
  return value;
}
