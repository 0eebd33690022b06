import { SELF } from "cloudflare:test";
import { ADMIN, BASE } from "./helpers.js";

/*
 * The console's tests drive it as a browser would: a form POST to sign in, the session cookie
 * sent back by hand, and the Origin header a browser sets on every state-changing request.
 */

export const FORM = "application/x-www-form-urlencoded";
export const PLAIN = "http://edge.test";

/**
 * A client address of its own for each sign-in, so the tests never meet the per-address limit
 * on sign-in attempts (one test meets it on purpose).
 */
export function freshAddress(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(3));
  return `10.${bytes[0]}.${bytes[1]}.${bytes[2]}`;
}

export function loginRequest(
  token: string,
  options: { base?: string; address?: string; origin?: string | null } = {},
): Promise<Response> {
  const base = options.base ?? BASE;
  const origin = options.origin === undefined ? new URL(base).origin : options.origin;
  return SELF.fetch(`${base}/console/login`, {
    method: "POST",
    redirect: "manual",
    headers: {
      "content-type": FORM,
      "cf-connecting-ip": options.address ?? freshAddress(),
      ...(origin !== null ? { origin } : {}),
    },
    body: new URLSearchParams({ token }).toString(),
  });
}

/** `name=value` of a response's Set-Cookie, as a Cookie header sends it back. */
export function cookieOf(res: Response): string {
  const header = res.headers.get("set-cookie");
  if (header === null) throw new Error(`no set-cookie (status ${res.status})`);
  return header.split(";")[0]!;
}

/** Signs in with the admin token and returns the Cookie header for the session. */
export async function signIn(base = BASE): Promise<string> {
  const res = await loginRequest(ADMIN, { base });
  if (res.status !== 303) throw new Error(`sign-in failed: ${res.status} ${await res.text()}`);
  await res.body?.cancel();
  return cookieOf(res);
}

/** A GET of a console path with the session. */
export function page(path: string, cookie: string | null, init: RequestInit = {}) {
  return SELF.fetch(`${BASE}${path}`, {
    redirect: "manual",
    ...init,
    headers: { ...(cookie !== null ? { cookie } : {}), ...(init.headers ?? {}) },
  });
}

/** A form POST as a console page sends it (its own Origin unless told otherwise). */
export function postForm(
  path: string,
  cookie: string | null,
  fields: Record<string, string>,
  origin: string | null = BASE,
) {
  return SELF.fetch(`${BASE}${path}`, {
    method: "POST",
    redirect: "manual",
    headers: {
      "content-type": FORM,
      ...(cookie !== null ? { cookie } : {}),
      ...(origin !== null ? { origin } : {}),
    },
    body: new URLSearchParams(fields).toString(),
  });
}

/** The headers every console response carries. */
export const SECURITY_HEADERS = {
  "content-security-policy":
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "same-origin",
  "cache-control": "no-store",
  "x-frame-options": "DENY",
};
