/*
 * JSPB error bodies (facts §4): `[,[code,"message",details?]]` — the leading elision is not
 * JSON, so it is normalised to `[null,` first. Some bodies come without the outer wrapper.
 */

export const GRPC_STATUS: Record<number, string> = {
  1: "CANCELLED",
  2: "UNKNOWN",
  3: "INVALID_ARGUMENT",
  4: "DEADLINE_EXCEEDED",
  5: "NOT_FOUND",
  7: "PERMISSION_DENIED",
  8: "RESOURCE_EXHAUSTED",
  13: "INTERNAL",
  14: "UNAVAILABLE",
  16: "UNAUTHENTICATED",
};

export interface JspbError {
  grpcCode: number;
  grpcStatus: string;
  message: string;
}

/** Replaces array elisions (`[,` and `,,`) with nulls so the text parses as JSON. */
export function normalizeElisions(text: string): string {
  let out = "";
  let inString = false;
  let escaped = false;
  let previous = "";
  for (const ch of text) {
    if (inString) {
      out += ch;
      if (escaped) escaped = false;
      else if (ch === "\\") escaped = true;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') inString = true;
    if (ch === "," && (previous === "[" || previous === ",")) out += "null";
    out += ch;
    if (ch.trim() !== "") previous = ch;
  }
  return out;
}

export function parseJspbError(text: string): JspbError | null {
  let raw: unknown;
  try {
    raw = JSON.parse(normalizeElisions(text.replace(/^\)\]\}'\s*/, "")));
  } catch {
    return null;
  }
  if (!Array.isArray(raw)) return null;
  const body = typeof raw[0] === "number" ? raw : raw[1];
  if (!Array.isArray(body) || typeof body[0] !== "number") return null;
  return {
    grpcCode: body[0],
    grpcStatus: GRPC_STATUS[body[0]] ?? `CODE_${body[0]}`,
    message: typeof body[1] === "string" ? body[1] : "",
  };
}
