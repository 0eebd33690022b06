import { BOOT_ELEMENT_ID, type BootConfig } from "./boot-config.js";

/*
 * The page's static HTML: the app root and the bundle, as the real Angular app serves a thin
 * shell and renders everything from script. The DOM itself is built by the client (client/*.ts)
 * for the UI generation in the boot config, which the page reads and then removes.
 */

export type { UiGeneration } from "./boot-config.js";

export function pageShell(options: { boot: BootConfig; scriptUrl: string }): string {
  // `<` escaped, so no value can close the script element early.
  const boot = JSON.stringify(options.boot).replace(/</g, "\\u003c");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Google AI Studio</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/_/mss/app.css">
</head>
<body class="theme-light">
<ms-app></ms-app>
<div class="cdk-overlay-container"></div>
<script type="application/json" id="${BOOT_ELEMENT_ID}">${boot}</script>
<script src="${options.scriptUrl}"></script>
</body>
</html>`;
}

/** Google's sign-in page as far as a driver can tell: its title, path and the identifier form. */
export function signInPage(continueUrl: string): string {
  const safe = continueUrl.replace(/[<>"&]/g, "");
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Sign in - Google Accounts</title>
<style>body{font-family:Roboto,Arial,sans-serif;display:flex;justify-content:center;margin-top:10vh;color:#202124}
form{border:1px solid #dadce0;border-radius:8px;padding:48px 40px;width:360px}h1{font-weight:400}input{width:100%;padding:12px;font-size:16px;box-sizing:border-box}
button{margin-top:24px;background:#1a73e8;color:#fff;border:0;border-radius:4px;padding:10px 24px;font-size:14px}</style></head>
<body>
<form method="post" action="/v3/signin/identifier">
<h1>Sign in</h1><p>to continue to Google AI Studio</p>
<input type="hidden" name="continue" value="${safe}">
<input type="email" id="identifierId" name="identifier" aria-label="Email or phone" autocomplete="username">
<div id="identifierNext"><button type="submit">Next</button></div>
</form>
</body>
</html>`;
}
