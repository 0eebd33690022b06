import { DEFAULT_OPTIONS } from "../../simulator/sim-options.js";

/*
 * Signing in to the simulator without a browser: its Google-like flow (signin-flow.ts) walked
 * with fetch, redirect by redirect, as a browser would, for tests that need a real session
 * cookie. With the phone step on, it approves it through the control API.
 */

const FORM = { "content-type": "application/x-www-form-urlencoded" };

async function step(url: string, init: RequestInit, what: string): Promise<Response> {
  const res = await fetch(url, { redirect: "manual", ...init });
  if (res.status >= 400) throw new Error(`${what}: HTTP ${res.status}`);
  return res;
}

const locationOf = (res: Response, base: string, what: string): string => {
  const location = res.headers.get("location");
  if (res.status !== 302 || !location)
    throw new Error(`${what}: expected a redirect, got HTTP ${res.status}`);
  return new URL(location, base).toString();
};

/** Signs in through the identifier, password and (when on) phone steps; returns the SID cookie. */
export async function signInBySim(
  simUrl: string,
  options: { identifier?: string; password?: string; continueUrl?: string } = {},
): Promise<string> {
  const identifier = options.identifier ?? "me@example.com";
  const password = options.password ?? DEFAULT_OPTIONS.signInPassword;
  const form = new URLSearchParams({
    identifier,
    continue: options.continueUrl ?? "/prompts/new_chat",
    flowName: "GlifWebSignIn",
  });
  const sent = await step(
    `${simUrl}/v3/signin/identifier`,
    { method: "POST", headers: FORM, body: form.toString() },
    "the identifier",
  );
  const pwdUrl = locationOf(sent, simUrl, `the identifier '${identifier}'`);
  let res = await step(
    pwdUrl,
    { method: "POST", headers: FORM, body: new URLSearchParams({ Passwd: password }).toString() },
    "the password",
  );
  let next = locationOf(res, simUrl, "the password (a wrong one re-renders the page)");
  if (new URL(next).pathname === "/v3/signin/challenge/dp") {
    // Shown first (the automatic approval counts from then), then approved, then posted.
    await step(next, {}, "the phone step's page");
    await step(`${simUrl}/__sim/signin/approve`, { method: "POST" }, "the phone approval");
    res = await step(next, { method: "POST", headers: FORM, body: "" }, "the phone step");
    next = locationOf(res, simUrl, "the approved phone step");
  }
  const sid = /(?:^|[;,]\s*)SID=([0-9a-f]+)/.exec(res.headers.get("set-cookie") ?? "")?.[1];
  if (!sid) throw new Error(`the sign-in ended at ${next} without setting SID`);
  return sid;
}
