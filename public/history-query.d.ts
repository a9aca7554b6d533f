// Types for public/history-query.js (plain browser ESM, imported by the unit tests).

export type HistoryFilters = Partial<Record<"host" | "status" | "from" | "to" | "serial", string | number | null>>;

export const HISTORY_FILTERS: string[];
export function filterQuery(values: HistoryFilters | null | undefined): string;
export function filtersFrom(search: string | null | undefined): Record<"host" | "status" | "from" | "to" | "serial", string>;
export function canRestart(status: string | null | undefined): boolean;
export function jobSeconds(startedAt: string | null | undefined, finishedAt: string | null | undefined, nowMs?: number): number | null;
