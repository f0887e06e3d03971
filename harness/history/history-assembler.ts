import {
  HISTORY_API_VERSION,
  type ApiProbeSample,
  type DurabilityLog,
  type GroundTruthSample,
  type History,
  type HistoryEvent,
  type IsolationProbe,
  type LoadSecond,
  type NodeSample,
  type RunMetadata,
  type WorkloadSample,
} from './history.js';

/** What one recorder (or the runner itself) contributes to a history; every part optional. */
export interface HistoryPart {
  events?: readonly HistoryEvent[];
  series?: {
    load?: readonly LoadSecond[];
    workloads?: readonly WorkloadSample[];
    nodes?: readonly NodeSample[];
    api?: readonly ApiProbeSample[];
  };
  groundTruth?: readonly GroundTruthSample[];
  durability?: {
    writes?: readonly DurabilityLog['writes'][number][];
    finalReads?: readonly DurabilityLog['finalReads'][number][];
  };
  isolation?: readonly IsolationProbe[];
}

/** Anything that contributes a part: every recorder has `part()`. */
export interface HistoryPartSource {
  part(): HistoryPart;
}

export interface HistoryAssembly {
  metadata: RunMetadata;
  /** Events the runner recorded itself: phases, fault injects and heals, notes. */
  events?: readonly HistoryEvent[];
  /** Every load's seconds (toLoadSeconds). */
  loadSeconds?: readonly LoadSecond[];
  /**
   * The recorders, by any names or in a list; an absent one (a run that ended before it was
   * started, a battery the scenario has no use for) is skipped.
   */
  recorders?:
    Readonly<Record<string, HistoryPartSource | undefined>> | readonly (HistoryPartSource | undefined)[];
  /** Any other parts. */
  parts?: readonly HistoryPart[];
}

/**
 * Puts a run's history together from the runner's events, the load seconds and the recorders'
 * parts: events and every time series concatenated and sorted by `t` (stable, so what happened
 * at the same time keeps the order it was recorded in). The result shares no array with its
 * inputs.
 */
export function assembleHistory({
  metadata,
  events = [],
  loadSeconds = [],
  recorders = [],
  parts: extra = [],
}: HistoryAssembly): History {
  const sources: readonly (HistoryPartSource | undefined)[] = Array.isArray(recorders)
    ? recorders
    : Object.values(recorders);
  const parts: HistoryPart[] = [
    { events, series: { load: loadSeconds } },
    ...sources.flatMap((r) => (r ? [r.part()] : [])),
    ...extra,
  ];
  const all = <T extends { t: number }>(pick: (p: HistoryPart) => readonly T[] | undefined): T[] =>
    byTime(parts.flatMap((p) => pick(p) ?? []));
  return {
    apiVersion: HISTORY_API_VERSION,
    kind: 'History',
    metadata,
    events: all((p) => p.events),
    series: {
      load: all((p) => p.series?.load),
      workloads: all((p) => p.series?.workloads),
      nodes: all((p) => p.series?.nodes),
      api: all((p) => p.series?.api),
    },
    groundTruth: all((p) => p.groundTruth),
    durability: {
      writes: all((p) => p.durability?.writes),
      finalReads: all((p) => p.durability?.finalReads),
    },
    isolation: all((p) => p.isolation),
  };
}

function byTime<T extends { t: number }>(items: readonly T[]): T[] {
  return [...items].sort((a, b) => a.t - b.t);
}
