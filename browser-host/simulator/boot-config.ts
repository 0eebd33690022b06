/*
 * What the server tells the simulated page when it loads: the UI generation, a renamed hook for
 * selector-override tests, the first-run overlays a fresh profile gets, and the upload limits. The server plans it;
 * the page reads it from a JSON script element and removes that element, so nothing on the page
 * names the generation (the real site does not either). Imports nothing: the page bundles it.
 */

export const UI_GENERATIONS = ["2026-08", "2026", "2025"] as const;
export type UiGeneration = (typeof UI_GENERATIONS)[number];

/** Hooks the simulator can rename so every built-in selector for them misses. */
export const RENAMES = ["runButton"] as const;
export type Rename = (typeof RENAMES)[number];

/**
 * The first-run overlays of facts §9 (2026-08 only): the cookie bar, `ms-g1-welcome-dialog`,
 * `ms-tos-disclaimer`, the "An updated flow for using Gemini in your apps" dialog and the guided
 * tour, in the order "all" shows them.
 */
export const FIRST_RUN_OVERLAYS = ["cookies", "welcome", "tos", "apps-flow", "tour"] as const;
export type FirstRunOverlay = (typeof FIRST_RUN_OVERLAYS)[number];

export const FIRST_RUN_MODES = ["all", "none", "random"] as const;
export type FirstRunMode = (typeof FIRST_RUN_MODES)[number];

export interface FirstRunItem {
  overlay: FirstRunOverlay;
  /** How long after the app is ready it appears: some come late, so a driver must re-scan. */
  delayMs: number;
}

/** The page's upload limits and pace (SimOptions of the same names). */
export interface UploadConfig {
  maxUploadBytes: number;
  maxUploadFiles: number;
  uploadDelayMs: number;
  uploadMsPerMb: number;
}

export const DEFAULT_UPLOAD: UploadConfig = {
  maxUploadBytes: 100 * 2 ** 20,
  maxUploadFiles: 10,
  uploadDelayMs: 400,
  uploadMsPerMb: 200,
};

export interface BootConfig {
  ui: UiGeneration;
  rename: Rename | null;
  /** The overlays a fresh profile gets, for an overlay whose decision is not yet stored. */
  firstRun: FirstRunItem[];
  upload: UploadConfig;
}

/** The id of the `<script type="application/json">` element that carries the BootConfig. */
export const BOOT_ELEMENT_ID = "ms-boot";

/** "all": each overlay, the later ones stacked on top of the earlier. */
const ALL_DELAYS: Record<FirstRunOverlay, number> = {
  cookies: 0,
  welcome: 0,
  tos: 250,
  "apps-flow": 500,
  tour: 800,
};

/** Mulberry32: a small seeded PRNG, so a seeded plan is the same in every process. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Which overlays a fresh profile gets: every one, none, or a non-empty random subset (the same
 * for the same seed), each at once or 200–800 ms after the app is ready.
 */
export function firstRunPlan(
  mode: FirstRunMode,
  seed: number | null,
  random: () => number = Math.random,
): FirstRunItem[] {
  if (mode === "none") return [];
  if (mode === "all")
    return FIRST_RUN_OVERLAYS.map((overlay) => ({ overlay, delayMs: ALL_DELAYS[overlay] }));
  const next = seed === null ? random : seeded(seed);
  const plan: FirstRunItem[] = [];
  for (const overlay of FIRST_RUN_OVERLAYS) {
    const picked = next() < 0.5;
    const delayMs = next() < 1 / 3 ? 0 : 200 + Math.floor(next() * 600);
    if (picked) plan.push({ overlay, delayMs });
  }
  if (plan.length === 0) {
    const overlay = FIRST_RUN_OVERLAYS[Math.floor(next() * FIRST_RUN_OVERLAYS.length)]!;
    plan.push({ overlay, delayMs: 200 + Math.floor(next() * 600) });
  }
  return plan;
}
