import type { AttachmentRefusal, HostErrorCode } from "@aistudio-edge/shared";

/*
 * The driver's local errors. Each carries the wire code it becomes in `job.error` (only a code a
 * host may report: the compiler keeps the driver inside the pool's allow-list) and whether
 * another lane might succeed; they never cross the socket themselves. Each takes the standard
 * `{ cause }` options, so an error that re-wraps another keeps the original.
 */

export class DriverError extends Error {
  override readonly name: string = "DriverError";
  constructor(
    readonly code: HostErrorCode,
    message: string,
    readonly retryable: boolean,
    options?: ErrorOptions,
  ) {
    // The cause keeps the original failure (a CDP error, a timeout) for logs and snapshots.
    super(message, options);
  }
}

/** The page refused to take one of the job's files; the pool names it to the client. */
export class AttachmentRefusedError extends DriverError {
  override readonly name = "AttachmentRefusedError";
  constructor(
    /** 0-based place of the file among the job's attachments. */
    readonly index: number,
    readonly reason: AttachmentRefusal,
    message: string,
    options?: ErrorOptions,
  ) {
    super("attachment_refused", message, false, options);
  }
}

/** The page answered, and none of a concept's selectors matched anything before the deadline. */
export class SelectorNotFoundError extends DriverError {
  override readonly name = "SelectorNotFoundError";
  constructor(what: string, anchors: string, tried: string[], options?: ErrorOptions) {
    super(
      "upstream_error",
      `AI Studio's ${what} was not found (${anchors}); tried ${tried.map((t) => `'${t}'`).join(", ")}. The page may have changed.`,
      true,
      options,
    );
  }
}

/**
 * Looking at the page failed for a reason other than a missing element: the page was closed,
 * stopped answering, or Chromium's DevTools protocol refused the call. Says nothing about the
 * selectors, so it must not read as "the page changed".
 */
export class PageAccessError extends DriverError {
  override readonly name = "PageAccessError";
  constructor(what: string, why: string, options?: ErrorOptions) {
    super("upstream_error", `Could not look for AI Studio's ${what}: ${why}.`, true, options);
  }
}

export class AuthExpiredError extends DriverError {
  override readonly name = "AuthExpiredError";
  constructor(where: string, options?: ErrorOptions) {
    super(
      "auth_expired",
      `AI Studio sent this host to Google sign-in (${where}): the login in this profile is no longer valid here. Sign the host in again from the console (Sign in on its row: no restart needed), or renew it with 'npm run auth -- login <profile>' through the same proxy and restart the host.`,
      true,
      options,
    );
  }
}

export class TimeoutError extends DriverError {
  override readonly name = "TimeoutError";
  constructor(what: string, ms: number, options?: ErrorOptions) {
    super("upstream_error", `Timed out after ${ms} ms waiting for ${what}.`, true, options);
  }
}

export class AbortedError extends DriverError {
  override readonly name = "AbortedError";
  constructor(reason: string, options?: ErrorOptions) {
    super("cancelled", `Stopped: ${reason}.`, false, options);
  }
}
