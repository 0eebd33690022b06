import { z } from "zod";
import { DEFAULT_UPLOAD, FIRST_RUN_MODES, RENAMES, UI_GENERATIONS } from "./boot-config.js";
import { PaceSchema } from "./scenarios.js";

/*
 * The simulator's options, as one schema: startSimulator fills the defaults and checks the
 * result, and `POST /__sim/config` and the CLI accept any subset of them (an unknown key is an
 * error, not ignored).
 */

export const SimOptionsSchema = z.object({
  /** The UI generation the page reproduces ("2026-08" is facts §9). */
  ui: z.enum(UI_GENERATIONS),
  /** Emit the `)]}'` anti-XSSI line before ListModels (absent on the real site in 2026). */
  xssi: z.boolean(),
  /**
   * With true, a page load needs the SID cookie the sign-in flow sets (for login/profile tests):
   * identifier, password, then the optional phone step (signin-flow.ts).
   */
  requireLogin: z.boolean(),
  /** The password the sign-in flow accepts, for any well-formed identifier. */
  signInPassword: z.string().min(1).max(1000),
  /**
   * The sign-in flow's phone step ("Check your phone"): approved this many ms after its page was
   * first shown, or at once by `POST /__sim/signin/approve`; null: no phone step.
   */
  signInPhoneApproveMs: z.number().int().nonnegative().max(600_000).nullable(),
  pace: PaceSchema.required(),
  /** What the IP echo at /__sim/egress reports, so egress checks can be tested. */
  egress: z.object({ country: z.string().length(2), timezone: z.string() }),
  /** 2026-08 only: the first-run overlays a fresh profile gets (facts §9 "First-run overlays"). */
  firstRun: z.enum(FIRST_RUN_MODES),
  /** Seed for firstRun "random", so tests get a stable subset; null picks anew per profile. */
  firstRunSeed: z.number().int().nullable(),
  /**
   * 2026-08 only: how long CountTokens takes per 1,000 characters of its body, on top of the
   * page's 300 ms debounce; the page ignores Run until the count is back (facts §9).
   */
  tokenCountMsPer1k: z.number().nonnegative().max(60_000),
  /** Renames a hook so the built-in selectors miss it, for selector-override tests. */
  rename: z.enum(RENAMES).nullable(),
  /** The largest file the page takes; a larger one is refused with a snack bar. */
  maxUploadBytes: z
    .number()
    .int()
    .positive()
    .max(2 ** 31),
  /** How many files one prompt can hold; more are refused with a snack bar. */
  maxUploadFiles: z.number().int().positive().max(1000),
  /** A file's simulated upload takes this long before its chip shows, plus uploadMsPerMb per MiB. */
  uploadDelayMs: z.number().int().nonnegative().max(600_000),
  uploadMsPerMb: z.number().nonnegative().max(600_000),
});
export type SimOptions = z.infer<typeof SimOptionsSchema>;

/** A change to the options: any subset, pace fields one by one. */
export const SimConfigSchema = z.strictObject({
  ...SimOptionsSchema.partial().shape,
  pace: PaceSchema.optional(),
});
export type SimConfig = z.infer<typeof SimConfigSchema>;

export const DEFAULT_OPTIONS: SimOptions = {
  // The live page of facts §9 by default: the simulator must be at least as hard as the real page.
  ui: "2026-08",
  xssi: false,
  requireLogin: false,
  signInPassword: "demo-password",
  signInPhoneApproveMs: null,
  pace: { chunkChars: 24, paceMs: 15 },
  egress: { country: "US", timezone: "America/New_York" },
  firstRun: "random",
  firstRunSeed: null,
  // ~300 ms + 1 ms per 100 characters: a 200 KB prompt is counted in about 2.3 s.
  tokenCountMsPer1k: 10,
  rename: null,
  // 100 MiB, 10 files; a 1 MiB file shows its chip after ~0.6 s, a 100 MiB one after ~20 s.
  ...DEFAULT_UPLOAD,
};

/** The options with a change applied; pace is merged field by field. */
export function withConfig(options: SimOptions, change: SimConfig): SimOptions {
  const defined = Object.fromEntries(
    Object.entries(change).filter(([, v]) => v !== undefined),
  ) as Partial<SimOptions>;
  return SimOptionsSchema.parse({
    ...options,
    ...defined,
    pace: { ...options.pace, ...change.pace },
    egress: { ...(change.egress ?? options.egress) },
  });
}
