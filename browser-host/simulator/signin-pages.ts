/*
 * The HTML of the simulator's Google sign-in pages (the flow itself is in signin-flow.ts): the
 * identifier form, the password challenge and the phone-approval wait, with the hooks, titles
 * and messages a driver or a person meets on accounts.google.com. Every interpolated value goes
 * through `escapeHtml`; the scripts interpolate nothing and read what they need from the DOM.
 */

/** Text or an attribute value made safe for HTML (both quote styles included). */
export function escapeHtml(value: string): string {
  return value.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!,
  );
}

const TITLE = "Sign in - Google Accounts";

const STYLE = `body{font-family:Roboto,Arial,sans-serif;display:flex;justify-content:center;margin:10vh 0 0;color:#202124;background:#fff}
main{border:1px solid #dadce0;border-radius:8px;padding:48px 40px 36px;width:368px;box-sizing:content-box;animation:in .3s ease-out}
@keyframes in{from{opacity:0;transform:translateX(24px)}to{opacity:1;transform:none}}
.logo{font-size:24px;font-weight:500;color:#4285f4;text-align:center}
h1{font-size:24px;font-weight:400;text-align:center;margin:16px 0 8px}
.sub{text-align:center;font-size:16px;margin-bottom:32px}
.chip{display:block;width:fit-content;margin:0 auto 32px;border:1px solid #dadce0;border-radius:16px;padding:4px 12px;font-size:14px}
input[type=email],input[type=password],input[type=text]{width:100%;padding:13px 15px;font-size:16px;border:1px solid #dadce0;border-radius:4px;box-sizing:border-box}
input[aria-invalid=true]{border-color:#d93025}
input:disabled{background:#f8f9fa}
[aria-live=assertive]{color:#d93025;font-size:12px;min-height:16px;margin-top:8px}
label{display:flex;align-items:center;gap:8px;font-size:14px;margin-top:12px}
.link{background:none;border:0;color:#1a73e8;font-weight:500;font-size:14px;padding:8px 0;cursor:pointer}
.actions{display:flex;justify-content:space-between;align-items:center;margin-top:32px}
.next button{background:#1a73e8;color:#fff;border:0;border-radius:4px;padding:10px 24px;font-size:14px;font-weight:500;cursor:pointer}
.spinner{width:36px;height:36px;margin:32px auto;border:4px solid #e8f0fe;border-top-color:#1a73e8;border-radius:50%;animation:spin 1s linear infinite}
@keyframes spin{to{transform:rotate(360deg)}}
p{font-size:14px;line-height:20px}`;

function layout(main: string, script = ""): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${TITLE}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>${STYLE}</style>
</head>
<body>
<main>
<div class="logo" aria-label="Google">Google</div>
${main}
</main>
${script ? `<script>${script}</script>` : ""}
</body>
</html>`;
}

/** The message place under a field, and the field's attribute saying it is wrong. */
function errorParts(error: string | null): { live: string; invalid: string } {
  return {
    live: `<div aria-live="assertive">${error ? `<span>${escapeHtml(error)}</span>` : ""}</div>`,
    invalid: error ? ' aria-invalid="true"' : "",
  };
}

/** The first page: "Sign in", an e-mail or phone number, Next (or Enter). */
export function identifierPage(options: {
  continueUrl: string;
  flowName: string;
  identifier?: string;
  error?: string | null;
}): string {
  const { live, invalid } = errorParts(options.error ?? null);
  return layout(`<h1 id="headingText">Sign in</h1>
<div class="sub">to continue to Google AI Studio</div>
<form method="post" action="/v3/signin/identifier" novalidate>
<input type="hidden" name="continue" value="${escapeHtml(options.continueUrl)}">
<input type="hidden" name="flowName" value="${escapeHtml(options.flowName)}">
<input type="email" id="identifierId" name="identifier" aria-label="Email or phone" autocomplete="username" spellcheck="false" autofocus value="${escapeHtml(options.identifier ?? "")}"${invalid}>
${live}
<button type="button" class="link">Forgot email?</button>
<div class="actions">
<button type="button" class="link">Create account</button>
<div id="identifierNext" class="next"><button type="submit">Next</button></div>
</div>
</form>`);
}

/**
 * The password challenge: "Welcome", the identifier, the password. Like Google's page, which
 * animates in before it takes input, the field stays disabled for ~300 ms after load.
 */
export function passwordPage(options: {
  token: string;
  identifier: string;
  error?: string | null;
}): string {
  const { live, invalid } = errorParts(options.error ?? null);
  const tl = escapeHtml(options.token);
  const action = escapeHtml(`/v3/signin/challenge/pwd?TL=${encodeURIComponent(options.token)}`);
  const script = `(() => {
  const input = document.querySelector('input[name="Passwd"]');
  const show = document.getElementById("showPassword");
  show.addEventListener("change", () => { input.type = show.checked ? "text" : "password"; });
  setTimeout(() => { input.disabled = false; input.focus(); }, 300);
})();`;
  return layout(
    `<h1 id="headingText">Welcome</h1>
<div class="chip" id="profileIdentifier" data-email="${escapeHtml(options.identifier)}">${escapeHtml(options.identifier)}</div>
<form method="post" action="${action}" novalidate>
<input type="hidden" name="TL" value="${tl}">
<input type="password" name="Passwd" aria-label="Enter your password" autocomplete="current-password" disabled${invalid}>
${live}
<label><input type="checkbox" id="showPassword"> Show password</label>
<div class="actions">
<button type="button" class="link">Forgot password?</button>
<div id="passwordNext" class="next"><button type="submit">Next</button></div>
</div>
</form>`,
    script,
  );
}

/**
 * The phone step: "Check your phone". The page asks the status URL every 500 ms; once approved
 * it posts its form (which finishes the sign-in), and an expired flow sends it where it is told.
 */
export function phonePage(options: { token: string; identifier: string }): string {
  const tl = encodeURIComponent(options.token);
  const script = `(() => {
  const form = document.getElementById("dpForm");
  const poll = async () => {
    try {
      const res = await fetch(form.dataset.status, { cache: "no-store", credentials: "same-origin" });
      const answer = await res.json();
      if (answer.status === "approved") return form.submit();
      if (answer.status === "expired") return location.assign(answer.next);
    } catch (err) {
      // A poll that failed (the network, a restart) is simply asked again.
    }
    setTimeout(poll, 500);
  };
  setTimeout(poll, 500);
})();`;
  return layout(
    `<h1 id="headingText">Check your phone</h1>
<div class="chip" id="profileIdentifier" data-email="${escapeHtml(options.identifier)}">${escapeHtml(options.identifier)}</div>
<p id="dpText">Google sent a notification to your phone. Tap <b>Yes</b> on the notification to verify it's you.</p>
<form id="dpForm" method="post" action="${escapeHtml(`/v3/signin/challenge/dp?TL=${tl}`)}" data-status="${escapeHtml(`/v3/signin/challenge/dp/status?TL=${tl}`)}">
<input type="hidden" name="TL" value="${escapeHtml(options.token)}">
<div class="spinner" role="progressbar" aria-label="Waiting for your phone"></div>
</form>
<div class="actions"><button type="button" class="link">Try another way</button></div>`,
    script,
  );
}
