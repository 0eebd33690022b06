import {
  BOOT_ELEMENT_ID,
  DEFAULT_UPLOAD,
  UI_GENERATIONS,
  type BootConfig,
} from "../boot-config.js";

/*
 * Reads what the server planned for this page load (../boot-config.ts) and removes the element
 * that carried it, so the live DOM does not name the generation: the real site does not either.
 */

export function readBoot(): BootConfig {
  const element = document.getElementById(BOOT_ELEMENT_ID);
  const fallback: BootConfig = { ui: "2026", rename: null, firstRun: [], upload: DEFAULT_UPLOAD };
  if (!element) return fallback;
  element.remove();
  try {
    const boot = JSON.parse(element.textContent ?? "") as BootConfig;
    return (UI_GENERATIONS as readonly string[]).includes(boot.ui)
      ? { ...boot, upload: { ...DEFAULT_UPLOAD, ...boot.upload } }
      : fallback;
  } catch {
    // The server wrote it; an unreadable one means a broken server, and the default page shows it.
    return fallback;
  }
}
