import { parseJspbError } from "../wire/jspb-error.js";
import type { PageErrors } from "./aistudio-page.js";
import { AuthExpiredError, DriverError } from "./errors.js";
import type { CaptureEnd } from "./stream-capture.js";

/*
 * The one place where what AI Studio did becomes a wire error code (DESIGN.md "Driving AI
 * Studio"): sign-in → auth_expired; quota text or 429 → upstream_quota; 403 → upstream_permission
 * (BotGuard or authorisation, not quota: do not cool the account down on it); "Prohibited
 * content" / "Content blocked" → upstream_blocked (the relay ends an answer that has started with
 * finish_reason content_filter instead); internal error → upstream_error. The HTTP answer decides first; the page's own texts fill in when the request
 * never completed.
 */

/** The page's texts for a prompt or answer its safety filters stopped (facts §9). */
const BLOCKED =
  /prohibited content|content blocked|blocked (?:for|due to) safety|violat\w* (?:our|the) (?:policy|policies)/i;

const QUOTA =
  /exceeded quota|quota|rate limit|resource has been exhausted|too many requests|out of free generations/i;

export function classifyFailure(
  end: CaptureEnd | null,
  ui: PageErrors,
  signIn: string | null,
): DriverError {
  if (signIn) return new AuthExpiredError(signIn);
  const rpc = end && end.errorBody !== "" ? parseJspbError(end.errorBody) : null;
  const detail = rpc
    ? ` (${rpc.grpcStatus}: ${rpc.message})`
    : end && end.status > 0
      ? ` (HTTP ${end.status})`
      : "";
  const uiText = [ui.callout, ui.toast, ui.turnError]
    .filter((t): t is string => t !== null)
    .join(" / ");
  const status = end?.status ?? 0;

  if (status === 401 || rpc?.grpcCode === 16)
    return new AuthExpiredError(`GenerateContent answered ${status}: unauthenticated`);
  if (status === 429 || rpc?.grpcCode === 8 || QUOTA.test(uiText)) {
    return new DriverError(
      "upstream_quota",
      `AI Studio refused for quota${detail}${uiText ? `: ${uiText}` : ""}.`,
      true,
    );
  }
  if (status === 403 || rpc?.grpcCode === 7 || /permission denied/i.test(uiText)) {
    return new DriverError(
      "upstream_permission",
      `AI Studio denied permission${detail}${uiText ? `: ${uiText}` : ""}.`,
      false,
    );
  }
  if (BLOCKED.test(uiText)) {
    // Another lane would be refused the same: not retryable.
    return new DriverError(
      "upstream_blocked",
      `AI Studio blocked the request${detail}: ${uiText}.`,
      false,
    );
  }
  if (status >= 500 || /internal error/i.test(uiText)) {
    return new DriverError(
      "upstream_error",
      `AI Studio reported an internal error${detail}${uiText ? `: ${uiText}` : ""}.`,
      true,
    );
  }
  if (end?.error) return end.error;
  if (end?.failed)
    return new DriverError(
      "upstream_error",
      `The GenerateContent request failed: ${end.failed}.`,
      true,
    );
  return new DriverError(
    "upstream_error",
    `AI Studio failed${detail}${uiText ? `: ${uiText}` : ""}.`,
    true,
  );
}

/** FinishReason codes (the public enum) to OpenAI's finish_reason. */
export function finishReasonOf(
  code: number | null,
  hadToolCalls: boolean,
): "stop" | "length" | "content_filter" | "tool_calls" {
  if (code === 2) return "length";
  if (code !== null && [3, 4, 6, 7, 8, 10].includes(code)) return "content_filter";
  return hadToolCalls ? "tool_calls" : "stop";
}
