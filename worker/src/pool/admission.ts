import type { ErrorCode } from "@aistudio-edge/shared";
import type { Host } from "./host-registry.js";

/*
 * The admission ladder: whether the pool takes a job for a model at all, asked before the job
 * exists. Each rung is a refusal a client can act on (start a host, pick another model, renew
 * a login, wait), in the order that names the most useful one.
 */

export interface Refusal {
  ok: false;
  code: ErrorCode;
  message: string;
  param: string | null;
  /** When to try again; the Worker turns it into `retry-after`. */
  retryAfterMs: number | null;
}

export const refusal = (
  code: ErrorCode,
  message: string,
  extra: { param?: string; retryAfterMs?: number } = {},
): Refusal => ({
  ok: false,
  code,
  message,
  param: extra.param ?? null,
  retryAfterMs: extra.retryAfterMs ?? null,
});

export function admit(hosts: readonly Host[], model: string, now: number): Refusal | null {
  if (hosts.length === 0) {
    return refusal(
      "no_browser_host",
      "No browser host is connected to the pool. Start one (npm run host) and point it at this Worker.",
      {
        retryAfterMs: 10_000,
      },
    );
  }
  const serving = hosts.filter((h) => h.serves(model));
  if (serving.length === 0) {
    const served = [...new Set(hosts.flatMap((h) => h.models.map((m) => m.id)))].sort();
    return refusal(
      "model_not_found",
      `The model '${model}' does not exist or no connected browser host serves it. Served now: ${served.join(", ") || "none"}.`,
      { param: "model" },
    );
  }
  const accepting = serving.filter((h) => h.accepting);
  if (accepting.length === 0) {
    const expired = serving.filter((h) => h.state === "auth_expired").map((h) => h.id);
    if (expired.length > 0) {
      // Host ids are public already (GET /health); naming them tells the operator where to act.
      return refusal(
        "auth_expired",
        `The Google login of host ${expired.join(", ")} has expired: AI Studio sends it to sign-in. Renew the profile (npm run auth -- login) and restart the host.`,
        { retryAfterMs: 60_000 },
      );
    }
    return refusal("no_browser_host", `Every host serving '${model}' is draining.`, {
      retryAfterMs: 10_000,
    });
  }
  const coolUntil = Math.min(...accepting.map((h) => h.coolingUntil(model, now)));
  if (coolUntil > 0) {
    return refusal(
      "upstream_quota",
      `AI Studio's quota for '${model}' is used up on every connected account.`,
      {
        retryAfterMs: coolUntil - now,
      },
    );
  }
  return null;
}
