/**
 * thingscan's public API. Everything a library user or the CLI needs is exported here by
 * name; anything not exported is internal and may change without notice.
 */
export { DEFAULT_PORT_SPEC, DEFAULTS } from './engine/defaults.js';
export { type PortSpecItem, parsePortSpec } from './engine/ports.js';
export { PORT_PRESETS, type PortPreset } from './engine/presets.js';
export { type ScanInput, type ScanOptions, type ScanTarget, scan } from './engine/scan.js';
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
  DEFAULT_TRUSTED,
  type ExtractOptions,
  type ExtractResult,
  type ExtractStats,
  extractOrigins,
  findOrigin,
  type Origin,
  trustedRelays,
} from './extract/index.js';
export {
  type LabCounters,
  type LabExpectation,
  type LabHost,
  type LabOptions,
  type LabServiceInfo,
  type RunningLab,
  type ScaleLab,
  type ScaleLabOptions,
  scalePersonaFor,
  startLab,
  startScaleLab,
} from './lab/index.js';
export {
  explainIdentification,
  explainRecord,
  formatHostExplanation,
  type HostExplanation,
  type LabelEvidence,
  type LabelExplanation,
  type NearMiss,
  type SoftwareExplanation,
} from './match/explain.js';
export {
  type Identification,
  type IdentifyOptions,
  identify,
  identifyServices,
  servicesFromFields,
} from './match/identify.js';
export type { FiredEvidence, ServiceInput, SignatureHit } from './match/matcher.js';
export {
  createTableWriter,
  csvHeader,
  escapeJsonControls,
  formatCsv,
  formatCsvRow,
  formatNdjson,
  formatTable,
  Summary,
  type SummaryJson,
  sanitizeForTerminal,
  type TableWriter,
} from './output/index.js';
export {
  formatReportText,
  type HtmlOptions,
  Report,
  type ReportJson,
  readRecords,
  renderHtml,
} from './report/index.js';
export { FIELDS, type FieldName } from './signatures/fields.js';
export {
  checkHeldout,
  defaultHeldoutFile,
  formatHeldout,
  formatRatio,
  type HeldoutEntry,
  type HeldoutExpect,
  type HeldoutReport,
  type HeldoutResult,
  heldoutServices,
  loadHeldout,
  type Ratio,
  runHeldout,
} from './signatures/heldout.js';
export {
  formatProblem,
  type LintOptions,
  type LintProblem,
  type LintReport,
  lintLibrary,
  signatureSchema,
  signatureSchemaText,
} from './signatures/lint.js';
export { type LoadOptions, loadSignatures } from './signatures/loader.js';
export type { CompiledSignature, SignatureLibrary, Vendor } from './signatures/model.js';
export {
  BANNER_FIELD,
  type BannerProtocol,
  bannerFields,
  isBannerProtocol,
  type Scaffold,
  type ScaffoldInput,
  scaffoldSignature,
} from './signatures/scaffold.js';
export { type SelfTestFailure, type SelfTestReport, selfTest } from './signatures/selftest.js';
export { formatStats, type LibraryStats, libraryStats } from './signatures/stats.js';
export {
  INPUT_FORMATS,
  type InputFormat,
  type InteropOptions,
  readInterop,
} from './targets/formats/index.js';
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
