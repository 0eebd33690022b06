/*
 * Model ids. Clients and hosts use bare ids (`gemini-2.5-pro`); Google's APIs and AI Studio's
 * page name models as resources (`models/gemini-2.5-pro`). The prefix is added and removed here
 * only.
 */

export const MODEL_RESOURCE_PREFIX = "models/";

/** `models/gemini-2.5-pro` or `gemini-2.5-pro` → `gemini-2.5-pro`. */
export function bareModelId(name: string): string {
  return name.startsWith(MODEL_RESOURCE_PREFIX) ? name.slice(MODEL_RESOURCE_PREFIX.length) : name;
}

/** `gemini-2.5-pro` → `models/gemini-2.5-pro` (an id that already has the prefix is kept). */
export function modelResourceName(id: string): string {
  return id.startsWith(MODEL_RESOURCE_PREFIX) ? id : `${MODEL_RESOURCE_PREFIX}${id}`;
}
