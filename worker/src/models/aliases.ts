import { z } from "zod";
import { configOf, type Env } from "../env.js";
import { poolStub } from "../pool-client.js";
import {
  AliasMapSchema,
  resolveModelName,
  type AliasMap,
  type ResolvedModel,
} from "./model-names.js";

/*
 * The aliases in force: wrangler.toml's MODEL_ALIASES with the admin API's changes on top (kept
 * in the pool). Each isolate keeps the merged map for a few seconds, so a request does not cost
 * one more pool call; a change made through the admin API reaches other isolates within that.
 */

const CACHE_MS = 5_000;
/** Per environment, so that tests with differently configured Workers do not share a copy. */
const cache = new WeakMap<object, { at: number; map: AliasMap }>();

const OverridesSchema = z.record(z.string(), z.string().nullable());

/** The merged map: configured entries, overridden or hidden by the admin API's. */
export function mergeAliases(
  configured: AliasMap,
  overrides: Record<string, string | null>,
): AliasMap {
  const merged: AliasMap = { ...configured };
  for (const [alias, model] of Object.entries(overrides)) {
    if (model === null) delete merged[alias];
    else merged[alias] = model;
  }
  return AliasMapSchema.parse(merged);
}

export async function aliasMap(env: Env, now = Date.now()): Promise<AliasMap> {
  const cached = cache.get(env);
  if (cached !== undefined && now - cached.at < CACHE_MS) return cached.map;
  const overrides = OverridesSchema.parse(await poolStub(env).aliasOverrides());
  const map = mergeAliases(configOf(env).MODEL_ALIASES, overrides);
  cache.set(env, { at: now, map });
  return map;
}

/** Forgets this isolate's copy (after this isolate changed an alias). */
export function forgetAliases(env: Env): void {
  cache.delete(env);
}

export async function resolveModel(env: Env, requested: string): Promise<ResolvedModel> {
  return resolveModelName(requested, await aliasMap(env));
}
