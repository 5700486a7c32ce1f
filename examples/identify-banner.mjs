// Label banners offline, with no network: a flat field map in, a verdict out.
//
//   node examples/identify-banner.mjs
//
// Uses only the public API: `import ... from 'thingscan'`.
import { identify, loadSignatures } from 'thingscan';

const library = loadSignatures();
console.log(`signature library ${library.version}: ${library.signatures.length} signatures`);

const banners = [
  { 'ssh.ident': 'SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.6', 'ssh.software': 'OpenSSH_8.9p1' },
  { 'ssh.ident': 'SSH-2.0-dropbear_2019.78', 'ssh.software': 'dropbear_2019.78' },
  { 'smtp.greeting': '220 mail.example.net ESMTP Postfix (Ubuntu)' },
];
for (const fields of banners) {
  const { device, services } = identify(fields, { library });
  const software = services.flatMap((s) => (s.product ? [`${s.product} ${s.version ?? ''}`.trim()] : []));
  const what = device
    ? `${device.class}${device.vendor ? ` ${device.vendor}` : ''} (confidence ${device.confidence})`
    : 'no device verdict';
  console.log(`${Object.values(fields)[0]}\n  -> ${what}; software: ${software.join(', ') || 'none'}`);
}
