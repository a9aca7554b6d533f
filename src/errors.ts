// The core's errors, as data: what went wrong in words an operator can read, what kind of "no" it
// is, and whether trying again can help. The core knows nothing of HTTP: src/web/errors.ts maps each
// kind to a status code, in one place.

export type DomainErrorKind = "invalid" | "not-found" | "conflict" | "refused";

export abstract class DomainError extends Error {
  abstract readonly kind: DomainErrorKind;
  constructor(
    message: string,
    /** False when the same request may succeed later (the host answers again, a process ends). */
    readonly permanent: boolean,
    /** More fields for whoever shows the error (e.g. a host check's `checks`). */
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** A value that can never become valid by retrying: a malformed field, an unsafe device path. */
export class InvalidInputError extends DomainError {
  readonly kind = "invalid";
  constructor(message: string) {
    super(message, true);
  }
}

/** The thing asked for does not exist (or no longer does). */
export class NotFound extends DomainError {
  readonly kind = "not-found";
  constructor(message = "not found") {
    super(message, true);
  }
}

/**
 * The request clashes with the current state (a busy drive, an ended job, a changed host key).
 * `permanent: false` when waiting can resolve it: the host answers again, a process ends.
 */
export class Conflict extends DomainError {
  readonly kind = "conflict";
  constructor(message: string, opts: { permanent?: boolean } = {}) {
    super(message, opts.permanent ?? true);
  }
}

/** Well-formed, but what it names cannot do it (a host that cannot run a burn-in). */
export class Refused extends DomainError {
  readonly kind = "refused";
  constructor(message: string, details?: Record<string, unknown>) {
    super(message, true, details);
  }
}
