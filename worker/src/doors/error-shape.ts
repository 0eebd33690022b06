import { ERROR_CATALOG, errorBody, type ErrorCode } from "@aistudio-edge/shared";

/*
 * Each API door answers errors in its own vendor's shape, because each vendor's SDK parses only
 * its own: OpenAI's `{"error":{message,type,param,code}}`, Anthropic's
 * `{"type":"error","error":{type,message}}` and Google's `{"error":{code,message,status}}`. The
 * catalogue code (error-codes.ts) stays the one vocabulary; these tables only spell it.
 */

/** Which vendor's API a route speaks: set by the door's routes, read wherever an error is written. */
export type Door = "openai" | "anthropic" | "gemini";

export interface DoorError {
  status: number;
  body: unknown;
}

/**
 * Anthropic's error types with their statuses. A saturated pool is `overloaded_error` 529, which
 * Anthropic's SDKs and Claude Code retry with backoff; other failures on our side are `api_error`
 * 500 (Anthropic has no 502/503), and timeouts `timeout_error` 504.
 */
const ANTHROPIC: Record<ErrorCode, { status: number; type: string }> = {
  invalid_json: { status: 400, type: "invalid_request_error" },
  invalid_request: { status: 400, type: "invalid_request_error" },
  upstream_blocked: { status: 400, type: "invalid_request_error" },
  attachment_refused: { status: 400, type: "invalid_request_error" },
  upstream_unsupported: { status: 400, type: "invalid_request_error" },
  missing_api_key: { status: 401, type: "authentication_error" },
  invalid_api_key: { status: 401, type: "authentication_error" },
  invalid_admin_token: { status: 401, type: "authentication_error" },
  invalid_host_token: { status: 401, type: "authentication_error" },
  forbidden_origin: { status: 403, type: "permission_error" },
  upstream_permission: { status: 403, type: "permission_error" },
  model_not_found: { status: 404, type: "not_found_error" },
  not_found: { status: 404, type: "not_found_error" },
  upstream_model_unavailable: { status: 404, type: "not_found_error" },
  request_too_large: { status: 413, type: "request_too_large" },
  rate_limit_exceeded: { status: 429, type: "rate_limit_error" },
  upstream_quota: { status: 429, type: "rate_limit_error" },
  no_browser_host: { status: 529, type: "overloaded_error" },
  queue_full: { status: 529, type: "overloaded_error" },
  queue_timeout: { status: 529, type: "overloaded_error" },
  host_busy: { status: 529, type: "overloaded_error" },
  cancelled: { status: 499, type: "invalid_request_error" },
  upstream_stalled: { status: 504, type: "timeout_error" },
  deadline_exceeded: { status: 504, type: "timeout_error" },
  host_disconnected: { status: 500, type: "api_error" },
  auth_expired: { status: 500, type: "api_error" },
  upstream_error: { status: 500, type: "api_error" },
  upstream_ui_changed: { status: 500, type: "api_error" },
  protocol_error: { status: 500, type: "api_error" },
  internal_error: { status: 500, type: "api_error" },
};

/** google.rpc.Code names by the HTTP status Google's APIs pair them with. */
const GOOGLE_STATUS: Record<number, string> = {
  400: "INVALID_ARGUMENT",
  401: "UNAUTHENTICATED",
  403: "PERMISSION_DENIED",
  404: "NOT_FOUND",
  413: "INVALID_ARGUMENT",
  429: "RESOURCE_EXHAUSTED",
  499: "CANCELLED",
  500: "INTERNAL",
  502: "UNAVAILABLE",
  503: "UNAVAILABLE",
  504: "DEADLINE_EXCEEDED",
};

/** Anthropic's error body (the `error` event of its streams carries the same). */
export function anthropicErrorBody(code: ErrorCode, message: string, requestId?: string) {
  return {
    type: "error" as const,
    error: { type: ANTHROPIC[code].type, message },
    ...(requestId !== undefined ? { request_id: requestId } : {}),
  };
}

/** Google's error body; `details` names our catalogue code for whoever wants more than the status. */
export function geminiErrorBody(code: ErrorCode, message: string) {
  const status = ERROR_CATALOG[code].status;
  return {
    error: {
      code: status,
      message,
      status: GOOGLE_STATUS[status] ?? "UNKNOWN",
      details: [
        {
          "@type": "type.googleapis.com/google.rpc.ErrorInfo",
          reason: code,
          domain: "aistudio-edge",
        },
      ],
    },
  };
}

/** An error in the door's shape, with the status that door's clients expect for it. */
export function doorError(
  door: Door,
  code: ErrorCode,
  message: string,
  options: { param?: string | null; requestId?: string } = {},
): DoorError {
  switch (door) {
    case "openai":
      return {
        status: ERROR_CATALOG[code].status,
        body: errorBody(code, message, options.param ?? null),
      };
    case "anthropic":
      return {
        status: ANTHROPIC[code].status,
        body: anthropicErrorBody(code, message, options.requestId),
      };
    case "gemini":
      return { status: ERROR_CATALOG[code].status, body: geminiErrorBody(code, message) };
  }
}
