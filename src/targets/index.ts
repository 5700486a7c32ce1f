/**
 * Target lists: parsing, exclusion and lazy reading (DESIGN.md section 2, first stage).
 */
export {
  canonicalIp,
  formatIPv4,
  formatIPv6,
  type ParsedAddress,
  type ParseResult,
  parseAddress,
  parseIPv4,
  parseIPv6,
} from './address.js';
export { ExcludeList, type LoadedExcludeList, loadExcludeList } from './exclude.js';
export { Ipv4Set } from './ipv4-set.js';
export {
  DEFAULT_MAX_EXPAND,
  expandTarget,
  type Ipv4Target,
  type Ipv6Target,
  type LineResult,
  MAX_LINE_LENGTH,
  type ParseOptions,
  parseTargetLine,
  type TargetKind,
  type TargetSpec,
  targetSize,
} from './parse.js';
export {
  linesFromArgs,
  linesFromFile,
  linesFromStream,
  type ReadTargetsOptions,
  readTargets,
  type TargetItem,
  type TargetSource,
} from './read.js';
