/**
 * `thingscan identify`: offline labels for a banner read from stdin.
 */
import {
  DEFAULTS,
  identifyServices,
  loadSignatures,
  sanitizeForTerminal,
  servicesFromFields,
} from '../index.js';
import { type CommandRegistrar, EXIT, stderr } from './common.js';

/** Field a banner of each protocol is read as, unless --field says otherwise. */
const DEFAULT_FIELD: Record<string, string> = {
  telnet: 'telnet.banner',
  ssh: 'ssh.ident',
  smtp: 'smtp.greeting',
  ftp: 'ftp.greeting',
  http: 'http.server',
  snmp: 'snmp.sysDescr',
};

type Maybe<T> = T | undefined;

async function runIdentify(argv: {
  protocol?: Maybe<string>;
  field?: Maybe<string>;
  signatures?: Maybe<string>;
  explain: boolean;
}): Promise<number> {
  const library = loadSignatures(argv.signatures ? { dir: argv.signatures } : {});
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    const b = chunk as Buffer;
    size += b.length;
    chunks.push(b);
    if (size > DEFAULTS.maxBytes) break;
  }
  const text = Buffer.concat(chunks)
    .subarray(0, DEFAULTS.maxBytes)
    .toString('latin1')
    .replace(/\r?\n$/, '');
  const protocol = argv.protocol ?? 'telnet';
  const field = argv.field ?? DEFAULT_FIELD[protocol];
  if (!field) {
    stderr(`thingscan identify: no default field for protocol '${protocol}'; pass --field`);
    return EXIT.usage;
  }
  const fields: Record<string, string> = { [field]: text };
  if (field === 'ssh.ident') {
    const m = /^SSH-[\d.]+-(\S+)(?: (.*))?/.exec(text);
    if (m?.[1]) fields['ssh.software'] = m[1];
    if (m?.[2]) fields['ssh.comment'] = m[2];
  }
  const result = identifyServices(library, servicesFromFields(fields), {
    includePartial: argv.explain,
  });
  process.stdout.write(
    `${JSON.stringify({ device: result.device, alternatives: result.alternatives, services: result.services })}\n`,
  );
  if (argv.explain) {
    for (const hit of result.hits) {
      stderr(
        `${hit.fires ? 'FIRES' : 'below'} ${hit.signature.id} score ${hit.score} (min ${hit.signature.minScore})`,
      );
      for (const f of hit.fired) {
        stderr(
          `  ${f.item.id}: ${f.item.field} ${f.item.kind} ${JSON.stringify(f.item.pattern)} weight ${f.item.weight} on ${JSON.stringify(sanitizeForTerminal(f.value.slice(0, 120)))}`,
        );
      }
    }
  }
  return EXIT.ok;
}

/** Registers `identify`. */
export const registerIdentify: CommandRegistrar = (parser, done) =>
  parser.command(
    'identify',
    'label a banner read from stdin, offline',
    (y) =>
      y
        .option('protocol', {
          type: 'string',
          choices: Object.keys(DEFAULT_FIELD),
          default: 'telnet',
        })
        .option('field', {
          type: 'string',
          describe: 'probe field the banner is (default per protocol)',
        })
        .option('signatures', { type: 'string' })
        .option('explain', {
          type: 'boolean',
          default: false,
          describe: 'list the evidence behind each label on stderr',
        })
        .example(
          "$0 identify --protocol ssh <<< 'SSH-2.0-dropbear_2019.78'",
          'name the software and device class',
        ),
    async (argv) => done(await runIdentify(argv)),
  );
