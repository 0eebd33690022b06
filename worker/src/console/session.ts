import { decodeBase64Url, encodeBase64Url } from "./base64url.js";

/*
 * The console's session: a cookie holding base64url(JSON {iat, exp, sid}) "." base64url(HMAC).
 * The HMAC key is derived from ADMIN_TOKEN, so rotating the token ends every session at once;
 * nothing is stored at the edge. The cookie is `__Host-console` on https (the prefix makes the
 * browser insist on Secure, Path=/ and no Domain) and `console_session` on plain http (local
 * development), where a `__Host-` cookie would be refused.
 */

export interface SessionClaims {
  /** Issued at, epoch seconds. */
  iat: number;
  /** Expires at, epoch seconds. */
  exp: number;
  /** Random id of this session (tells sessions apart in a cookie jar; not stored anywhere). */
  sid: string;
}

export const SECURE_COOKIE = "__Host-console";
export const PLAIN_COOKIE = "console_session";
const KEY_LABEL = "aistudio-edge console session v1";

/** The cookie's name for a request URL: `__Host-` needs Secure, which needs https. */
export function sessionCookieName(url: URL): string {
  return url.protocol === "https:" ? SECURE_COOKIE : PLAIN_COOKIE;
}

/** One derived key per isolate, for the token it was derived from. */
let derived: { token: string; key: Promise<CryptoKey> } | null = null;

/** HMAC-SHA256(ADMIN_TOKEN, label) as an HMAC-SHA256 signing key. */
function sessionKey(adminToken: string): Promise<CryptoKey> {
  if (derived?.token === adminToken) return derived.key;
  const encoder = new TextEncoder();
  const key = (async () => {
    const root = await crypto.subtle.importKey(
      "raw",
      encoder.encode(adminToken),
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["sign"],
    );
    const bytes = await crypto.subtle.sign("HMAC", root, encoder.encode(KEY_LABEL));
    return crypto.subtle.importKey("raw", bytes, { name: "HMAC", hash: "SHA-256" }, false, [
      "sign",
      "verify",
    ]);
  })();
  derived = { token: adminToken, key };
  return key;
}

/** The cookie value for a session's claims (exported so tests can forge expired sessions). */
export async function signSession(adminToken: string, claims: SessionClaims): Promise<string> {
  const payload = encodeBase64Url(new TextEncoder().encode(JSON.stringify(claims)));
  const signature = await crypto.subtle.sign(
    "HMAC",
    await sessionKey(adminToken),
    new TextEncoder().encode(payload),
  );
  return `${payload}.${encodeBase64Url(new Uint8Array(signature))}`;
}

/** A fresh session of `hours`, from now. */
export function newClaims(hours: number, nowMs = Date.now()): SessionClaims {
  const iat = Math.floor(nowMs / 1000);
  const sid = encodeBase64Url(crypto.getRandomValues(new Uint8Array(16)));
  return { iat, exp: iat + hours * 3600, sid };
}

/**
 * The claims of a cookie value when its signature is right and it has not expired, else null.
 * A session also ends `hours` after it was issued, so lowering CONSOLE_SESSION_HOURS shortens
 * sessions already given out.
 */
export async function verifySession(
  adminToken: string,
  value: string | undefined,
  hours: number,
  nowMs = Date.now(),
): Promise<SessionClaims | null> {
  if (value === undefined || value.length > 512) return null;
  const [payload, signature, extra] = value.split(".");
  if (payload === undefined || signature === undefined || extra !== undefined) return null;
  const signatureBytes = decodeBase64Url(signature);
  if (signatureBytes === null) return null;
  const ok = await crypto.subtle.verify(
    "HMAC",
    await sessionKey(adminToken),
    signatureBytes,
    new TextEncoder().encode(payload),
  );
  if (!ok) return null;
  const bytes = decodeBase64Url(payload);
  if (bytes === null) return null;
  let claims: unknown;
  try {
    claims = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return null;
  }
  if (!isClaims(claims)) return null;
  const now = Math.floor(nowMs / 1000);
  if (now >= claims.exp || now >= claims.iat + hours * 3600 || claims.iat > now + 60) return null;
  return claims;
}

function isClaims(value: unknown): value is SessionClaims {
  if (typeof value !== "object" || value === null) return false;
  const { iat, exp, sid } = value as Record<string, unknown>;
  return Number.isSafeInteger(iat) && Number.isSafeInteger(exp) && typeof sid === "string";
}

/** `Set-Cookie` for a new session: HttpOnly, SameSite=Strict, Path=/, Secure on https. */
export function sessionCookie(url: URL, value: string, maxAgeSeconds: number): string {
  const secure = url.protocol === "https:" ? "; Secure" : "";
  return `${sessionCookieName(url)}=${value}; Max-Age=${maxAgeSeconds}; Path=/; HttpOnly; SameSite=Strict${secure}`;
}

/** `Set-Cookie` that ends the session in this browser. */
export function clearedSessionCookie(url: URL): string {
  const secure = url.protocol === "https:" ? "; Secure" : "";
  return `${sessionCookieName(url)}=; Max-Age=0; Path=/; HttpOnly; SameSite=Strict${secure}`;
}
