import type { ErrorCode } from "@aistudio-edge/shared";

/*
 * The driver's local errors. Each carries the wire code it becomes in `job.error` and whether
 * another lane might succeed; they never cross the socket themselves.
 */

export class DriverError extends Error {
  override readonly name: string = "DriverError";
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

export class SelectorNotFoundError extends DriverError {
  override readonly name = "SelectorNotFoundError";
  constructor(what: string, anchors: string, tried: string[]) {
    super("upstream_error", `AI Studio's ${what} was not found (${anchors}); tried ${tried.map((t) => `'${t}'`).join(", ")}. The page may have changed.`, true);
  }
}

export class AuthExpiredError extends DriverError {
  override readonly name = "AuthExpiredError";
  constructor(where: string) {
    super("auth_expired", `AI Studio sent this host to Google sign-in (${where}): the login in this profile is no longer valid here. Renew it with 'npm run auth -- login <profile>' through the same proxy, then restart the host.`, true);
  }
}

export class TimeoutError extends DriverError {
  override readonly name = "TimeoutError";
  constructor(what: string, ms: number) {
    super("upstream_error", `Timed out after ${ms} ms waiting for ${what}.`, true);
  }
}

export class AbortedError extends DriverError {
  override readonly name = "AbortedError";
  constructor(reason: string) {
    super("cancelled", `Stopped: ${reason}.`, false);
  }
}
