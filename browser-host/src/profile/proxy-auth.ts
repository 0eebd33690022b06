import type { Browser } from "puppeteer-core";

/*
 * How Chromium answers the local forwarder's 407 (its --proxy-server takes no credentials):
 * through the DevTools protocol, on one browser-level session, so every browser context (each
 * lane's, the egress check's) is covered, including contexts made later.
 *
 * Fetch.enable only raises an auth challenge for a request its patterns match, and Chromium
 * refuses empty patterns when it handles auth. Matching documents is enough: every context
 * starts with a navigation, and once a context has answered the proxy's challenge Chromium
 * sends the credential with all its later requests to that proxy. So only navigations pause
 * (each is continued at once); the page's scripts, XHRs and images never do, unlike with
 * puppeteer's page.authenticate, which intercepts every request.
 */

export interface ProxyCredential {
  /** The forwarder as Chromium names it in a challenge: http://127.0.0.1:<port>. */
  origin: string;
  username: string;
  password: string;
}

const attached = new WeakMap<Browser, Promise<void>>();

/** Idempotent per browser: lanes may ask at once, and a relaunched browser is a new one. */
export function answerProxyChallenges(
  browser: Browser,
  credential: ProxyCredential,
): Promise<void> {
  let ready = attached.get(browser);
  if (!ready) {
    ready = attach(browser, credential);
    attached.set(browser, ready);
    // A failed attach may be retried by the next caller.
    ready.catch(() => attached.delete(browser));
  }
  return ready;
}

async function attach(browser: Browser, credential: ProxyCredential): Promise<void> {
  const session = await browser.target().createCDPSession();
  // Requests already given the credential once: a second challenge means it was refused, and
  // answering again would loop. One entry per context's first navigation, so it stays small.
  const answered = new Set<string>();
  session.on("Fetch.requestPaused", (event) => {
    session.send("Fetch.continueRequest", { requestId: event.requestId }).catch(() => {
      // The page (or the browser) went away meanwhile: nobody waits for this request.
    });
  });
  session.on("Fetch.authRequired", (event) => {
    const ours =
      event.authChallenge.source === "Proxy" && event.authChallenge.origin === credential.origin;
    // Anything else (a site's own login, another proxy) gets the browser's default handling.
    const authChallengeResponse = !ours
      ? { response: "Default" as const }
      : answered.has(event.requestId)
        ? { response: "CancelAuth" as const }
        : {
            response: "ProvideCredentials" as const,
            username: credential.username,
            password: credential.password,
          };
    if (ours) answered.add(event.requestId);
    session
      .send("Fetch.continueWithAuth", { requestId: event.requestId, authChallengeResponse })
      .catch(() => {
        // As above: the request is gone.
      });
  });
  await session.send("Fetch.enable", {
    handleAuthRequests: true,
    patterns: [{ urlPattern: "*", resourceType: "Document", requestStage: "Request" }],
  });
}
