import type { HostModel } from "@aistudio-edge/shared";

/** A model some connected host serves, as the doors' model lists show it. */
export interface ServedModel {
  id: string;
  displayName: string | null;
  /** Whether any host serving it says it answers with images. */
  imageOutput: boolean;
  /** The page's own limits (ListModels), where a host reported them. */
  inputTokenLimit?: number;
  outputTokenLimit?: number;
  thinking?: HostModel["thinking"];
}

const smaller = (a: number | undefined, b: number | undefined) =>
  a === undefined ? b : b === undefined ? a : Math.min(a, b);

/**
 * The models the hosts serve, one entry per id, sorted by id. Hosts of one account agree on a
 * model's limits; where two do not, the smaller limit is the one every host can keep.
 */
export function servedModels(hosts: Iterable<{ models: readonly HostModel[] }>): ServedModel[] {
  const seen = new Map<string, ServedModel>();
  for (const host of hosts) {
    for (const model of host.models) {
      const known = seen.get(model.id) ?? {
        id: model.id,
        displayName: model.displayName ?? null,
        imageOutput: false,
      };
      known.imageOutput ||= model.imageOutput === true;
      const input = smaller(known.inputTokenLimit, model.inputTokenLimit);
      const output = smaller(known.outputTokenLimit, model.outputTokenLimit);
      const thinking = known.thinking ?? model.thinking;
      seen.set(model.id, {
        id: known.id,
        displayName: known.displayName,
        imageOutput: known.imageOutput,
        ...(input !== undefined ? { inputTokenLimit: input } : {}),
        ...(output !== undefined ? { outputTokenLimit: output } : {}),
        ...(thinking !== undefined ? { thinking } : {}),
      });
    }
  }
  return [...seen.values()].sort((a, b) => a.id.localeCompare(b.id));
}
