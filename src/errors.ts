/**
 * One error family. Callers branch on `code`, never on message text.
 */

/** Stable error codes. */
export type ThingscanErrorCode = 'E_TARGET' | 'E_SIGNATURE' | 'E_USAGE' | 'E_IO' | 'E_INTERNAL';

/** Base class of every error thingscan throws on purpose. */
export class ThingscanError extends Error {
  /** Stable machine-readable code. */
  readonly code: ThingscanErrorCode;
  constructor(code: ThingscanErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ThingscanError';
    this.code = code;
  }
}

/** A target line that cannot be parsed; carries where it came from. */
export class TargetError extends ThingscanError {
  /** Source name (file path, `<stdin>` or `<args>`). */
  readonly file: string;
  /** 1-based line number in that source. */
  readonly line: number;
  /** Reason without location. */
  readonly reason: string;
  constructor(file: string, line: number, reason: string) {
    super('E_TARGET', `${file}:${line}: ${reason}`);
    this.name = 'TargetError';
    this.file = file;
    this.line = line;
    this.reason = reason;
  }
}

/** A signature file that cannot be loaded or fails validation. */
export class SignatureError extends ThingscanError {
  /** Path of the signature file. */
  readonly file: string;
  /** 1-based line, 0 when unknown. */
  readonly line: number;
  /** 1-based column, 0 when unknown. */
  readonly column: number;
  /** Reason without location. */
  readonly reason: string;
  constructor(file: string, line: number, column: number, reason: string) {
    super('E_SIGNATURE', `${file}:${line}:${column}: ${reason}`);
    this.name = 'SignatureError';
    this.file = file;
    this.line = line;
    this.column = column;
    this.reason = reason;
  }
}

/** Several signature errors found in one load. */
export class SignatureLoadError extends ThingscanError {
  /** Every problem found, in file order. */
  readonly errors: readonly SignatureError[];
  constructor(errors: readonly SignatureError[]) {
    super('E_SIGNATURE', errors.map((e) => e.message).join('\n'));
    this.name = 'SignatureLoadError';
    this.errors = errors;
  }
}

/** Type guard for any thingscan error. */
export function isThingscanError(value: unknown): value is ThingscanError {
  return value instanceof ThingscanError;
}
/** Type guard for {@link TargetError}. */
export function isTargetError(value: unknown): value is TargetError {
  return value instanceof TargetError;
}
/** Type guard for {@link SignatureError} and {@link SignatureLoadError}. */
export function isSignatureError(value: unknown): value is SignatureError | SignatureLoadError {
  return value instanceof SignatureError || value instanceof SignatureLoadError;
}
