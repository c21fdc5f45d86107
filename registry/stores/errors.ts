/**
 * Failures of an artifact store that are neither bad input nor a gate: a missing object, or content whose
 * sha256 does not match its address (corruption or tampering).
 */

/** What went wrong in a store. */
export type StoreErrorCode = 'missing' | 'integrity';

/** A store object is missing, or its content does not match its sha256. The message names the URI. */
export class StoreError extends Error {
  override name = 'StoreError';
  /** `missing` or `integrity`. */
  readonly code: StoreErrorCode;
  /** The object's URI. */
  readonly uri: string;
  constructor(code: StoreErrorCode, uri: string, message: string) {
    super(message);
    this.code = code;
    this.uri = uri;
  }
}
