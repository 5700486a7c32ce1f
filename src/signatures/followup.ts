/**
 * What a follow-up request may be: the rules a signature's `followup:` paths obey, checked
 * by the loader (so lint reports them with file and line) and again by the planner before
 * any request leaves (a library can be built by hand).
 *
 * A follow-up is always a plain GET of a path on the very host and port that answered:
 * no other origin, no credentials, nothing that logs in or changes the device's state.
 */

/** Prefix of the probe fields a follow-up response fills (`http.followup.body` …). */
export const FOLLOWUP_FIELD_PREFIX = 'http.followup.';

/** Longest follow-up path accepted, in characters. */
export const MAX_FOLLOWUP_PATH = 256;

/** Base used to check that a path stays on the origin it is requested from (any address works). */
const PROBE_BASE = 'http://192.0.2.1:8080';

/**
 * Words that mark a path as a login, a credential or a state change (`/login.cgi`,
 * `/apply.cgi`, `/reboot.htm`): such a path is never a follow-up, even as a GET.
 */
const FORBIDDEN_WORDS = [
  'login',
  'logon',
  'logout',
  'signin',
  'signout',
  'passw',
  'pwd',
  'auth',
  'token',
  'secret',
  'session',
  'cred',
  'reboot',
  'restart',
  'reset',
  'restore',
  'factory',
  'upgrade',
  'apply',
  'delete',
  'remove',
  'setup',
  'shell',
  'exec',
  'cmd',
] as const;

/** Query parameter names that would carry a secret (`?user=…&pass=…`, `?sid=…`). */
const SECRET_PARAMETER = /user|usr|pass|pwd|pin|key|sid|token|auth|secret|session|cred|login/i;

/**
 * Why `path` cannot be a follow-up request, or null when it can: it must be an absolute
 * path (optionally with a query) on the same origin, printable ASCII, without dot
 * segments, fragments, credentials, login or state-changing words.
 */
export function followupPathProblem(path: unknown): string | null {
  if (typeof path !== 'string' || path === '') return 'path must be a non-empty string';
  if (path.length > MAX_FOLLOWUP_PATH) return `path is longer than ${MAX_FOLLOWUP_PATH} characters`;
  if (!path.startsWith('/') || path.startsWith('//'))
    return 'path must be absolute ("/…"), on the same host and port (not "//host/…" or a URL)';
  if (!/^[\x21-\x7e]+$/.test(path)) return 'path must be printable ASCII without spaces';
  if (path.includes('\\') || path.includes('#') || path.includes('@'))
    return 'path must not hold "\\", "#" or "@"';
  const [pathname = '', query] = splitQuery(path);
  if (/(^|\/)(?:\.|%2e){1,2}(?:\/|$)/i.test(pathname))
    return 'path must not hold "." or ".." segments';
  let url: URL;
  try {
    url = new URL(path, PROBE_BASE);
  } catch {
    return 'path does not parse as a URL path';
  }
  if (url.origin !== PROBE_BASE || `${url.pathname}${url.search}` !== path)
    return 'path must stay on the same origin, exactly as written';
  const lower = path.toLowerCase();
  const word = FORBIDDEN_WORDS.find((w) => lower.includes(w));
  if (word !== undefined)
    return `path looks like a login, a credential or a state change ("${word}"): follow-ups only read`;
  if (query !== undefined) {
    for (const name of new URLSearchParams(query).keys()) {
      if (SECRET_PARAMETER.test(name))
        return `query parameter "${name}" may carry a secret: follow-ups send none`;
    }
  }
  return null;
}

function splitQuery(path: string): [string, string | undefined] {
  const at = path.indexOf('?');
  return at < 0 ? [path, undefined] : [path.slice(0, at), path.slice(at + 1)];
}

/** True for the probe fields only a follow-up response fills. */
export function isFollowupField(name: string): boolean {
  return name.startsWith(FOLLOWUP_FIELD_PREFIX);
}
