import {
  ERROR_CATALOG,
  errorBody,
  type ErrorCode,
  type OpenAIErrorBody,
} from "@aistudio-edge/shared";

/**
 * The one error class routes and middleware throw. It carries the wire code, a message meant
 * for the client, the offending parameter and any headers the response must carry
 * (`retry-after`). It is turned into a response in exactly one place, `on-error.ts`.
 */
export class ApiError extends Error {
  override readonly name = "ApiError";
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly options: {
      param?: string | null;
      headers?: Record<string, string>;
      cause?: unknown;
    } = {},
  ) {
    super(message, { cause: options.cause });
    this.status = ERROR_CATALOG[code].status;
  }

  get body(): OpenAIErrorBody {
    return errorBody(this.code, this.message, this.options.param ?? null);
  }

  get headers(): Record<string, string> {
    return this.options.headers ?? {};
  }
}

/** `retry-after` in whole seconds, at least 1 and at most 60 as clients expect. */
export function retryAfter(ms: number): Record<string, string> {
  return { "retry-after": String(Math.min(60, Math.max(1, Math.ceil(ms / 1000)))) };
}
