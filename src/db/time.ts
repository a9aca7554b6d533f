// Times as rows store them: ISO 8601 in UTC.
export const nowIso = (now: number = Date.now()) => new Date(now).toISOString();
