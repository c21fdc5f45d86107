/**
 * Artifact stores: where model files, checkpoints and reports live. Two implementations share this
 * interface: a local directory (the embedded default) and S3 or any S3-compatible server.
 *
 * Blobs are content-addressed: `<base>/sha256/<first two hex>/<sha256>`; a blob is written once and
 * verified (sha256) on every read. Keyed objects (`putKey`/`getKey`) are mutable and used for
 * checkpoints and reports, under `<base>/<key>`.
 */

/** A file stored by content. */
export interface StoredBlob {
  /** Full URI of the object: `file:///abs/dir/sha256/ab/abcd…` or `s3://bucket/prefix/sha256/ab/abcd…`. */
  uri: string;
  /** Lowercase hex sha256 of the content. */
  sha256: string;
  /** Size in bytes. */
  bytes: number;
}

/** One entry of a keyed listing. */
export interface KeyedObject {
  /** Key relative to the store base, `/`-separated. */
  key: string;
  bytes: number;
  /** sha256 when the store recorded it (both stores record it on putKey), else undefined. */
  sha256?: string;
  /** Last modification time. */
  modified: Date;
}

/** Progress callback for long transfers: bytes done of total. */
export type TransferProgress = (done: number, total: number) => void;

/** A content-addressed blob store plus a keyed namespace. */
export interface ArtifactStore {
  /** The base URI this store was opened with, normalised (`file:///abs/dir` or `s3://bucket/prefix`). */
  readonly baseUri: string;
  /** Upload a local file by content; a blob already present is not uploaded again. */
  putFile(path: string, opts?: { onProgress?: TransferProgress }): Promise<StoredBlob>;
  /** Download a blob by sha256 to a local path, verifying the sha256; a mismatch deletes the partial file and throws. */
  getFile(sha256: string, dest: string, opts?: { onProgress?: TransferProgress }): Promise<void>;
  /** True when the blob exists in the store (and, for S3, its size is plausible). */
  hasBlob(sha256: string): Promise<boolean>;
  /** Write a keyed object from a file or bytes (overwrites). */
  putKey(key: string, source: { path: string } | { bytes: Uint8Array }): Promise<void>;
  /** Read a keyed object to a local file; returns false when it does not exist. */
  getKey(key: string, dest: string): Promise<boolean>;
  /** List keyed objects under a prefix (recursive). */
  listKeys(prefix: string): Promise<KeyedObject[]>;
  /** Delete a keyed object (no error when missing). */
  deleteKey(key: string): Promise<void>;
}

/** How to reach S3: endpoint and credentials come from here or the usual AWS_* environment variables. */
export interface S3Options {
  endpoint?: string;
  region?: string;
  forcePathStyle?: boolean;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Attempts per request, first included, with exponential backoff on 5xx and dropped connections. Default 6. */
  maxAttempts?: number;
  /** Multipart part size in bytes (at least 5 MiB); files larger than this are uploaded in parts. Default 8 MiB. */
  partSize?: number;
  /** Parts uploaded at once in a multipart upload. Default 4. */
  queueSize?: number;
}
