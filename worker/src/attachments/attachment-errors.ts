import { ApiError } from "../errors.js";

/*
 * The two answers a bad attachment gets, each naming the part by its path in the request (the
 * `param` of OpenAI's error body) and saying what went wrong. Messages never quote a URL's
 * query string or user info (they may carry tokens): see `displayUrl`.
 */

/** 400 `invalid_request`: the part cannot be used as sent. */
export const badAttachment = (param: string, why: string): ApiError =>
  new ApiError("invalid_request", `${param}: ${why}`, { param });

/** 413 `request_too_large`: the part, or all of them together, are over a configured cap. */
export const attachmentTooLarge = (param: string, why: string): ApiError =>
  new ApiError("request_too_large", `${param}: ${why}`, { param });

/** A URL as a message may show it: scheme, host and path, no user info, query or fragment. */
export function displayUrl(url: URL): string {
  const shown = `${url.protocol}//${url.host}${url.pathname}`;
  return shown.length > 160 ? `${shown.slice(0, 159)}…` : shown;
}

/**
 * An error's text fit for a client: every URL in it shortened as `displayUrl` does (a runtime's
 * fetch error may quote the URL it was given), and bounded in length.
 */
export function scrubReason(text: string): string {
  const scrubbed = text.replace(/[a-z][a-z0-9+.-]*:\/\/[^\s'"<>]*/gi, (found) => {
    try {
      return displayUrl(new URL(found));
    } catch {
      return "(a URL)";
    }
  });
  return scrubbed.length > 200 ? `${scrubbed.slice(0, 199)}…` : scrubbed;
}
