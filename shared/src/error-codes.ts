import { z } from "zod";

/**
 * The error vocabulary that crosses process boundaries: it is sent by hosts in `job.error`,
 * by the pool to the Worker, and ends up as the OpenAI `error.code` a client sees.
 * Each entry says when it happens, the HTTP status a client gets for it when no byte has been
 * sent yet, and the OpenAI `error.type`.
 */
export const ERROR_CATALOG = {
  // Client mistakes.
  invalid_json: { status: 400, type: "invalid_request_error", when: "the body is not JSON" },
  invalid_request: {
    status: 400,
    type: "invalid_request_error",
    when: "a field is missing, of the wrong type or out of range",
  },
  model_not_found: {
    status: 404,
    type: "invalid_request_error",
    when: "no connected host serves the model",
  },
  not_found: { status: 404, type: "invalid_request_error", when: "no such route or resource" },
  request_too_large: {
    status: 413,
    type: "invalid_request_error",
    when: "the body is over the size limit",
  },
  missing_api_key: {
    status: 401,
    type: "authentication_error",
    when: "no API key in Authorization, x-api-key or x-goog-api-key",
  },
  invalid_api_key: {
    status: 401,
    type: "authentication_error",
    when: "the key is unknown or revoked",
  },
  invalid_admin_token: {
    status: 401,
    type: "authentication_error",
    when: "the admin token is missing or wrong",
  },
  invalid_host_token: {
    status: 401,
    type: "authentication_error",
    when: "a host dialled in without the right host token",
  },
  forbidden_origin: {
    status: 403,
    type: "permission_error",
    when: "a console request that changes something came without the console's own Origin (cross-site request forgery)",
  },
  rate_limit_exceeded: {
    status: 429,
    type: "rate_limit_error",
    when: "the key's requests per minute or concurrent requests are used up",
  },

  // Capacity.
  no_browser_host: {
    status: 503,
    type: "server_error",
    when: "no browser host is connected to the pool",
  },
  queue_full: {
    status: 429,
    type: "rate_limit_error",
    when: "every lane is busy and the queue is full",
  },
  queue_timeout: {
    status: 503,
    type: "server_error",
    when: "the job waited in the queue longer than allowed",
  },
  host_busy: {
    status: 503,
    type: "server_error",
    when: "a host got a job without a free lane (a race; the pool retries)",
  },

  // The browser side.
  host_disconnected: {
    status: 502,
    type: "server_error",
    when: "the host's link dropped while it had the job",
  },
  auth_expired: {
    status: 503,
    type: "server_error",
    when: "the host's Google login is no longer valid (sign-in redirect)",
  },
  upstream_quota: {
    status: 429,
    type: "rate_limit_error",
    when: "AI Studio refused for quota on this account and model",
  },
  upstream_permission: {
    status: 403,
    type: "permission_error",
    when: "AI Studio answered 403 permission denied",
  },
  upstream_error: {
    status: 502,
    type: "server_error",
    when: "AI Studio reported an internal error or the page failed",
  },
  upstream_model_unavailable: {
    status: 404,
    type: "invalid_request_error",
    when: "the Google account behind the host does not offer the model (any more)",
  },
  upstream_blocked: {
    status: 400,
    type: "invalid_request_error",
    when: "AI Studio blocked the prompt as prohibited content before any answer (after output has started, the answer ends with finish_reason content_filter instead)",
  },
  upstream_ui_changed: {
    status: 502,
    type: "server_error",
    when: "a setting the request asked for cannot be applied on AI Studio's page: its control is missing, disabled or does not keep the value (the page changed); the host's log names the control",
  },
  attachment_refused: {
    status: 400,
    type: "invalid_request_error",
    when: "AI Studio's page refused one of the request's files (its type, its size or the number of files); the message names the file",
  },
  upstream_unsupported: {
    status: 400,
    type: "invalid_request_error",
    when: "AI Studio's page does not offer a combination of settings the request asked for on this model (function calling or structured output together with Google Search, on the 2026-08 page)",
  },
  upstream_stalled: {
    status: 504,
    type: "server_error",
    when: "no output arrived for the stall timeout",
  },
  deadline_exceeded: { status: 504, type: "server_error", when: "the job ran past its deadline" },
  cancelled: {
    status: 499,
    type: "invalid_request_error",
    when: "the client went away and the job was stopped",
  },
  protocol_error: {
    status: 502,
    type: "server_error",
    when: "a peer sent a frame that does not follow the protocol",
  },

  // Our bugs.
  internal_error: { status: 500, type: "server_error", when: "a bug in aistudio-edge" },
} as const satisfies Record<string, { status: number; type: string; when: string }>;

export type ErrorCode = keyof typeof ERROR_CATALOG;
export const ERROR_CODES = Object.keys(ERROR_CATALOG) as [ErrorCode, ...ErrorCode[]];
export const ErrorCodeSchema = z.enum(ERROR_CODES);

/**
 * The codes a browser host may report for a job, each with the text a client is shown for it.
 * A host is trusted only for what happened on its own page: it cannot make a client see an
 * authentication error, a 500 or its own text (which may hold file paths or page content).
 * Any other code from a host becomes `upstream_error`; the host's message goes to the log.
 */
export const HOST_ERRORS = {
  upstream_quota:
    "AI Studio refused the request: the quota for this model is used up on the account that served it.",
  upstream_permission: "AI Studio refused the request with permission denied.",
  upstream_error:
    "AI Studio failed to answer (an internal error, or the page did not behave as expected).",
  upstream_stalled: "AI Studio stopped sending output.",
  upstream_model_unavailable: "The Google account serving this request does not offer the model.",
  upstream_blocked: "AI Studio blocked the request as prohibited content.",
  upstream_ui_changed:
    "AI Studio's page would not take a setting this request asked for (the page changed); the host's log names it.",
  attachment_refused: "AI Studio's page refused a file of this request.",
  upstream_unsupported:
    "AI Studio does not allow this combination of settings for the model (function calling or structured output together with web search); send them in separate requests.",
  auth_expired: "The Google login of the browser host serving this request has expired.",
  host_busy: "The browser host had no free lane for the request.",
  host_disconnected: "The browser host disconnected while it had the request.",
  cancelled: "The request was stopped.",
} as const satisfies Partial<Record<ErrorCode, string>>;
export type HostErrorCode = keyof typeof HOST_ERRORS;
export const HOST_ERROR_CODES = Object.keys(HOST_ERRORS) as [HostErrorCode, ...HostErrorCode[]];

/** A code narrowed to what a host may report: anything else is `upstream_error`. */
export function asHostErrorCode(code: string): HostErrorCode {
  return Object.hasOwn(HOST_ERRORS, code) ? (code as HostErrorCode) : "upstream_error";
}

/** Any code string a host sent, narrowed to what a host may report. */
export const HostErrorCodeSchema = z.string().max(64).transform(asHostErrorCode);

/** The text a client is shown for a host's error: the catalogue's, with the request id to quote. */
export function publicHostMessage(code: HostErrorCode, requestId: string): string {
  return `${HOST_ERRORS[code]} (request ${requestId})`;
}

/** The OpenAI error body, the only error shape any endpoint returns. */
export const OpenAIErrorBodySchema = z.object({
  error: z.object({
    message: z.string(),
    type: z.string(),
    param: z.string().nullable(),
    code: z.string().nullable(),
  }),
});
export type OpenAIErrorBody = z.infer<typeof OpenAIErrorBodySchema>;

export function errorBody(
  code: ErrorCode,
  message: string,
  param: string | null = null,
): OpenAIErrorBody {
  return { error: { message, type: ERROR_CATALOG[code].type, param, code } };
}

export function statusOf(code: ErrorCode): number {
  return ERROR_CATALOG[code].status;
}
