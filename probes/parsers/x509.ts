/**
 * Certificate fields for signatures, read with `node:crypto`'s X509Certificate (OpenSSL's
 * parser): we never decode DER ourselves. Everything a certificate holds is remote-supplied
 * text, so values are capped; the engine sanitizes them before any terminal.
 */
import { X509Certificate } from 'node:crypto';

/** Longest subject / issuer / SAN text kept, characters. */
const MAX_NAME = 1024;

/** A distinguished name as one line, in certificate order: `C=US, O=Acme, CN=name`. */
export function formatDn(dn: string): string {
  return dn
    .split('\n')
    .map((part) => part.trim())
    .filter((part) => part.length > 0)
    .join(', ')
    .slice(0, MAX_NAME);
}

/** `rsa-2048`, `ec-prime256v1`, `ed25519` … or the bare type when details are missing. */
export function keyType(cert: X509Certificate): string {
  const key = cert.publicKey;
  const type = key.asymmetricKeyType ?? 'unknown';
  const details = key.asymmetricKeyDetails;
  if (type === 'rsa' || type === 'rsa-pss' || type === 'dsa') {
    return details?.modulusLength ? `${type}-${details.modulusLength}` : type;
  }
  if (type === 'ec') return details?.namedCurve ? `ec-${details.namedCurve}` : 'ec';
  return type;
}

/** OpenSSL's `Jan  1 00:00:00 2030 GMT` as ISO 8601, or the text itself if unparsable. */
export function isoDate(text: string): string {
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : text.slice(0, 64);
}

/** True when the certificate names itself as issuer and its signature checks with its own key. */
export function isSelfSigned(cert: X509Certificate): boolean {
  try {
    return cert.checkIssued(cert) && cert.verify(cert.publicKey);
  } catch {
    return false;
  }
}

/**
 * The `tls.*` certificate fields of a leaf certificate (DER bytes or a parsed one).
 * Returns an empty map when the bytes are not a certificate. Never throws.
 */
export function certificateFields(input: Buffer | X509Certificate): Record<string, string> {
  let cert: X509Certificate;
  try {
    cert = input instanceof X509Certificate ? input : new X509Certificate(input);
  } catch {
    return {};
  }
  const fields: Record<string, string> = {};
  // Each field on its own: one OpenSSL cannot describe must not cost the others. An empty
  // subject (X509Certificate.subject is then undefined) is legal when the SAN names the
  // host, as on the leaf certificates of Caddy's internal CA: no tls.subject then.
  const read: [string, () => string | undefined][] = [
    ['tls.subject', () => (cert.subject ? formatDn(cert.subject) : undefined)],
    ['tls.issuer', () => (cert.issuer ? formatDn(cert.issuer) : undefined)],
    ['tls.san', () => cert.subjectAltName?.slice(0, MAX_NAME)],
    ['tls.serial', () => cert.serialNumber.toUpperCase().slice(0, 128)],
    ['tls.not_before', () => isoDate(cert.validFrom)],
    ['tls.not_after', () => isoDate(cert.validTo)],
    ['tls.self_signed', () => String(isSelfSigned(cert))],
    ['tls.key_type', () => keyType(cert)],
    ['tls.sha256', () => cert.fingerprint256.replaceAll(':', '').toLowerCase()],
  ];
  for (const [name, value] of read) {
    try {
      const v = value();
      if (v) fields[name] = v;
    } catch {
      // A part OpenSSL parsed but cannot describe: keep the others.
    }
  }
  return fields;
}
