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
