// Types of ls-webhooks/database (js/database.js): events rebuilt from Label Studio 1.23.2's own database.
import type { ActionName } from "./ls_webhooks";

/**
 * Which rows to rebuild events from. `since`/`until` select on `created_at` for the *_CREATED
 * actions and on `updated_at` for the *_UPDATED ones (ISO 8601; no offset means UTC; `since`
 * inclusive, `until` exclusive). The *_DELETED actions take `ids` (the rows are gone; Label
 * Studio sends only ids) and `project` for the project webhooks.
 */
export interface Selection {
  action: ActionName;
  ids?: Array<number | string | bigint> | string;
  project?: number | string | bigint;
  /** For PROJECT_DELETED, or deletes without `project`, when the database holds several organizations. */
  organization?: number | string | bigint;
  since?: string;
  until?: string;
  /** WEBHOOK_BATCH_SIZE (default 5000): each yielded event of a list action is one batch of this many rows. */
  batchSize?: number;
  /** Set false as SSRF_PROTECTION_ENABLED=false does (written into each event's options). */
  ssrfProtection?: boolean;
}

/** With `{ info: true }`: each event with where it sits in Label Studio's emission. */
export interface EventInfo {
  /** The event as JSON text: give it to buildDeliveries/planBatches as is (or as UTF-8 bytes). */
  event: string | Uint8Array; // UTF-8 bytes with `bytes: true`
  action: ActionName;
  /** 1-based: which of the selection's emissions (one per project for list actions, one per row otherwise). */
  emission: number;
  /** 0-based batch within the emission, and how many there are. */
  batch: number;
  batchCount: number;
  project: string | null;
  rows: number;
}

export interface Summary {
  emissions: number;
  events: number;
  rows: number;
  /** Projects whose rows were selected but that are soft-deleted or gone (Label Studio cannot serialize them either). */
  missingProjects: string[];
  /** How many of the given ids were not found (list and row actions). */
  idsNotFound: number;
}

export interface EventIterator<T> extends AsyncIterableIterator<T> {
  /** Counts so far (final once the iteration ends). */
  readonly summary: Summary;
}

/**
 * The events Label Studio 1.23.2 would emit for `selection`, read from its database: a SQLite
 * file path (opened read-only), a postgres:// URL (one REPEATABLE READ READ ONLY transaction),
 * an open better-sqlite3 Database or a connected pg Client. A rebuilt event carries the rows as
 * they are in the database now, not as they were when the event happened.
 * @throws {DatabaseError} INVALID_SELECTION at once; DRIVER_MISSING, CANNOT_OPEN, MISSING_ROW from next().
 */
/**
 * How events are yielded: `info` wraps each in an EventInfo; `bytes` gives each event as UTF-8
 * bytes (a Buffer: the fastest path into buildDeliveries); `bodyAs` is written into each
 * event's options.
 */
export interface ReadOptions {
  info?: boolean;
  bytes?: boolean;
  bodyAs?: "string" | "bytes";
}
export function eventsFromDatabase(db: string | object, selection: Selection): EventIterator<string>;
export function eventsFromDatabase(db: string | object, selection: Selection, options: ReadOptions & { info: true }): EventIterator<EventInfo>;
export function eventsFromDatabase(db: string | object, selection: Selection, options: ReadOptions & { info?: false; bytes: true }): EventIterator<Uint8Array>;
export function eventsFromDatabase(db: string | object, selection: Selection, options?: ReadOptions): EventIterator<string | Uint8Array | EventInfo>;

export type DatabaseErrorCode =
  | "INVALID_SELECTION" | "INVALID_DATABASE" | "DRIVER_MISSING" | "CANNOT_OPEN" | "MISSING_ROW" | "NO_LIBRARY";

export class DatabaseError extends Error {
  name: "DatabaseError";
  code: DatabaseErrorCode;
}
