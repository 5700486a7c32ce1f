/**
 * Compiled signature library: the in-memory form the matcher reads. Built once by the
 * loader from YAML; never mutated afterwards.
 */

import type { FieldIndex } from '../match/prefilter.js';
import type { DeviceClass } from '../types.js';
import type { FieldName } from './fields.js';

/** Named weights and their values (DESIGN.md section 5). */
export const WEIGHTS = { strong: 0.9, medium: 0.6, weak: 0.3 } as const;

/** Default score at which a signature fires. */
export const DEFAULT_MIN_SCORE = 0.7;

/** Lifecycle of a signature. */
export const SIGNATURE_STATUSES = ['experimental', 'stable', 'deprecated'] as const;
/** One of {@link SIGNATURE_STATUSES}. */
export type SignatureStatus = (typeof SIGNATURE_STATUSES)[number];

/** What software alone suggests about the host. */
export const HINTS = ['embedded', 'computer'] as const;
/** One of {@link HINTS}. */
export type Hint = (typeof HINTS)[number];

/** Matcher kinds of an evidence item. */
export const MATCHER_KINDS = ['regex', 'contains', 'equals', 'prefix', 'oid_prefix'] as const;
/** One of {@link MATCHER_KINDS}. */
export type MatcherKind = (typeof MATCHER_KINDS)[number];

/** A value that may hold `{capture}` templates. */
export type Template = string;

/** OS template of a signature. */
export interface OsTemplate {
  readonly vendor?: Template;
  readonly family?: Template;
  readonly name?: Template;
  readonly version?: Template;
}

/** Device part of a signature. */
export interface DeviceTemplate {
  readonly class: DeviceClass;
  /** Vendor slug; absent for class-only signatures (an unbranded Enigma2 box is still a set-top box). */
  readonly vendor?: string;
  readonly product?: Template;
  readonly model?: Template;
  readonly os?: OsTemplate;
  readonly cpe?: readonly Template[];
}

/** Software part of a signature. */
export interface ServiceTemplate {
  readonly vendor?: string;
  /**
   * The software's name. Absent on an OS-only signature: evidence such as a login's
   * `/etc/issue` text tells the operating system (`os`, `hint`) but not which daemon serves
   * the port, so such a signature never names the service's software.
   */
  readonly product?: Template;
  readonly version?: Template;
  readonly hint?: Hint;
  readonly os?: OsTemplate;
}

/** One compiled evidence item. */
export interface CompiledEvidence {
  readonly id: string;
  readonly field: FieldName;
  readonly kind: MatcherKind;
  /** Source text of the pattern/literal (for --explain). */
  readonly pattern: string;
  /** Its flags (`i`, and for regexes `m`, `s`), as written. */
  readonly flags: string;
  /**
   * Lower-cased literals of which every matching value contains at least one (the
   * prefilter, `src/match/prefilter.ts`), or null when the item must always run.
   */
  readonly literals: readonly string[] | null;
  readonly weight: number;
  readonly negate: boolean;
  readonly requires: readonly string[];
  /** Returns named captures (possibly empty) when the value matches, else null. */
  readonly test: (value: string) => Readonly<Record<string, string>> | null;
}

/** An example or counterexample input. */
export interface SignatureExample {
  readonly fields: Readonly<Record<string, string>>;
  readonly expect: Readonly<Record<string, string>>;
  /** 1-based line in the file, for messages. */
  readonly line: number;
}

/** One follow-up request a signature declares: always a GET of a same-origin path. */
export interface FollowupRequest {
  /** Absolute path (and query) on the scanned host and port, e.g. `/currentsetting.htm`. */
  readonly path: string;
}

/**
 * Vendor-telling requests a signature asks for once it is softmatched on a port's first
 * HTTP exchange (see `src/match/followup.ts`): one of the `when` evidence items fired, but
 * no signature of the same vendor gave a model there.
 */
export interface FollowupPlan {
  /** Ids of this signature's vendor-level evidence items (any one narrows the vendor). */
  readonly when: readonly string[];
  /** Requests in order of preference, at most `DEFAULTS.maxFollowups`. */
  readonly requests: readonly FollowupRequest[];
}

/** One compiled signature. */
export interface CompiledSignature {
  readonly id: string;
  readonly name: string;
  readonly file: string;
  readonly status: SignatureStatus;
  readonly device: DeviceTemplate | null;
  readonly service: ServiceTemplate | null;
  readonly minScore: number;
  readonly evidence: readonly CompiledEvidence[];
  readonly examples: readonly SignatureExample[];
  readonly counterexamples: readonly SignatureExample[];
  readonly references: readonly string[];
  /** Follow-up requests, or null when the signature declares none. */
  readonly followup: FollowupPlan | null;
}

/** One vendor of the registry. */
export interface Vendor {
  readonly id: string;
  readonly name: string;
  readonly aliases: readonly string[];
  readonly cpe: string | null;
  readonly enterprise: readonly number[];
  /**
   * The vendor's usual device classes, most usual first (optional `classes:` in the
   * registry). A vendor hint alone (enterprise number, MAC OUI) labels its first class.
   */
  readonly classes: readonly DeviceClass[];
}

/** The whole library. */
export interface SignatureLibrary {
  /** Library version from `signatures/VERSION`. */
  readonly version: string;
  readonly root: string;
  readonly signatures: readonly CompiledSignature[];
  readonly vendors: ReadonlyMap<string, Vendor>;
  /** Evidence items indexed by field, with a literal prefilter, for the matcher. */
  readonly byField: ReadonlyMap<string, FieldIndex>;
}
