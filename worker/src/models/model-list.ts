import type { Env } from "../env.js";
import { poolModels, type PoolModel } from "../pool-client.js";
import { aliasMap } from "./aliases.js";
import { resolveModelName } from "./model-names.js";

/** A name a client may send, as every door's model list shows it. */
export interface ListedModel extends PoolModel {
  /** For an alias, the AI Studio model it runs on. */
  aliasOf?: string;
}

/**
 * The models the connected hosts serve, then each alias whose model one of them serves (an
 * alias of a model no host offers would only fail), sorted by name. Every door lists these.
 */
export async function listedModels(env: Env): Promise<ListedModel[]> {
  const [served, aliases] = await Promise.all([poolModels(env), aliasMap(env)]);
  const byId = new Map(served.map((m) => [m.id, m]));
  const listed: ListedModel[] = [...served];
  for (const alias of Object.keys(aliases)) {
    if (byId.has(alias)) continue; // a real model's name wins over an alias of the same name
    const target = byId.get(resolveModelName(alias, aliases).model);
    if (target) listed.push({ ...target, id: alias, aliasOf: target.id });
  }
  return listed.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** One listed name, resolved as a request would resolve it (aliases and suffixes). */
export async function findListedModel(env: Env, name: string): Promise<ListedModel | null> {
  const list = await listedModels(env);
  const exact = list.find((m) => m.id === name);
  if (exact) return exact;
  const resolved = resolveModelName(name, await aliasMap(env));
  const target = list.find((m) => m.id === resolved.model && m.aliasOf === undefined);
  return target ? { ...target, id: name, aliasOf: target.id } : null;
}
