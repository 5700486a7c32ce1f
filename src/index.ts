/**
 * thingscan's public API. Everything a library user or the CLI needs is exported here by
 * name; anything not exported is internal and may change without notice.
 */
export { DEFAULT_PORT_SPEC, DEFAULTS } from './engine/defaults.js';
export { type PortSpecItem, parsePortSpec } from './engine/ports.js';
export { type ScanInput, type ScanOptions, scan } from './engine/scan.js';
export {
  isSignatureError,
  isTargetError,
  isThingscanError,
  SignatureError,
  SignatureLoadError,
  TargetError,
  ThingscanError,
  type ThingscanErrorCode,
} from './errors.js';
export {
  type LabCounters,
  type LabExpectation,
  type LabHost,
  type LabOptions,
  type LabServiceInfo,
  type RunningLab,
  startLab,
} from './lab/index.js';
export { type Identification, identifyServices, servicesFromFields } from './match/identify.js';
export type { FiredEvidence, ServiceInput, SignatureHit } from './match/matcher.js';
export {
  createTableWriter,
  csvHeader,
  formatCsv,
  formatCsvRow,
  formatNdjson,
  formatTable,
  Summary,
  type SummaryJson,
  sanitizeForTerminal,
  type TableWriter,
} from './output/index.js';
export { FIELDS, type FieldName } from './signatures/fields.js';
export { type LoadOptions, loadSignatures } from './signatures/loader.js';
export type { CompiledSignature, SignatureLibrary, Vendor } from './signatures/model.js';
export { type SelfTestFailure, type SelfTestReport, selfTest } from './signatures/selftest.js';
export {
  ExcludeList,
  linesFromArgs,
  linesFromFile,
  linesFromStream,
  loadExcludeList,
  readTargets,
  type TargetItem,
  type TargetSource,
} from './targets/index.js';
export {
  DEVICE_CLASSES,
  type DeviceClass,
  type DeviceVerdict,
  HOST_STATUSES,
  type HostRecord,
  type HostStatus,
  type OsInfo,
  PROBE_STATUSES,
  type ProbeStatus,
  type Protocol,
  SCHEMA_VERSION,
  type ServiceMatch,
  type ServiceRecord,
} from './types.js';
