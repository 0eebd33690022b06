import { describe, expect, it } from "vitest";
import { redactHtml, redactText } from "../../src/self-check/redact.js";

/* What the bundle's text may keep (labels, selectors) and what it may not (secrets, values). */

describe("self-check redaction", () => {
  it.each([
    ["an e-mail address", "signed in as jane.doe+ai@example.co.uk today", "jane.doe"],
    ["a bearer token", "authorization: Bearer abc.def-123", "abc.def-123"],
    ["proxy credentials in a URL", "via http://user:s3cret@proxy.example:8080/", "s3cret"],
    ["a session cookie", "cookie SAPISID=AbCdEf123/xyz; NID=511=qwerty", "AbCdEf123"],
    ["a JWT", "token eyJhbGciOiJIUzI1.eyJzdWIiOiIxMjM0.SflKxwRJSMeKKF2QT4f", "eyJhbGci"],
    ["an API key", "key=AIzaSyA1234567890abcdefghijklmno end", "AIzaSy"],
    ["a long opaque id", "x 3f9a0c1b7d2e4f6a8b0c1d2e3f4a5b6c7d8e y", "3f9a0c1b7d2e"],
    ["an account name", 'aria-label="Google Account: Jane Doe"', "Jane Doe"],
  ])("removes %s", (_what, text, secret) => {
    expect(redactText(text)).not.toContain(secret);
  });

  it("keeps labels and selectors a bug report needs", () => {
    const kept = [
      'button[aria-label="Toggle run settings panel"]',
      '[data-test-id="user-setting-budget-animation-wrapper"] input[type="number"]',
      "ms-prompt-box ms-run-button button[type=submit] gemini-3-flash-preview",
    ].join("\n");
    expect(redactText(kept)).toBe(kept);
  });

  it("empties scripts, form values and URL queries in the DOM", () => {
    const html = [
      '<script>window.WIZ = {"SNlM0e":"AFQ"};</script>',
      '<textarea aria-label="Enter a prompt">my private prompt</textarea>',
      '<input aria-label="Temperature" value="0.7">',
      '<img src="https://lh3.googleusercontent.com/a/photo?sz=64&amp;uid=42">',
    ].join("");
    const out = redactHtml(html);
    for (const gone of ["SNlM0e", "my private prompt", 'value="0.7"', "uid=42"])
      expect(out).not.toContain(gone);
    expect(out).toContain('<textarea aria-label="Enter a prompt">[redacted]</textarea>');
    expect(out).toContain('src="https://lh3.googleusercontent.com/a/photo?[redacted]"');
  });
});
