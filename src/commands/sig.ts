/**
 * `thingscan sig …`: tools for signature contributors.
 *
 * `lint` and `test` take an optional PATH: a library folder (one holding
 * `_taxonomy/vendors.yaml`) is linted/tested as a whole; any other path selects the
 * signature files under it within the library (`--signatures`, default: the bundled one).
 *
 * Options and help only (light to import: the CLI loads every command's definition);
 * the work is in `sig-run.ts`, imported by the handler.
 */
import type { CommandRegistrar } from './common.js';

/** The implementation, imported only when the command runs. */
const run = () => import('./sig-run.js');

/** Registers `sig test`, `sig lint`, `sig new`, `sig stats`, `sig heldout` and `sig schema`. */
export const registerSig: CommandRegistrar = (parser, done) =>
  parser.command('sig', 'signature library tools', (y) =>
    y
      .command(
        'test [path]',
        'run every example, counterexample and the generic-banner corpus against the whole library',
        (z) =>
          z
            .positional('path', {
              type: 'string',
              describe: 'a library folder, or signature files to test within the library',
            })
            .option('signatures', { type: 'string', describe: 'library folder' }),
        async (argv) => done(await (await run()).runSigTest(argv)),
      )
      .command(
        'lint [path]',
        'loader checks + JSON Schema + ReDoS analysis (recheck); FILE:LINE:COL messages, exit 4 on any problem',
        (z) =>
          z
            .positional('path', {
              type: 'string',
              describe: 'a library folder, or signature files to report on within the library',
            })
            .option('signatures', { type: 'string', describe: 'library folder' })
            .option('redos', {
              type: 'boolean',
              default: true,
              describe: 'analyse every regex with recheck (--no-redos skips it)',
            })
            .option('cache', {
              type: 'boolean',
              default: true,
              describe: 'reuse ReDoS verdicts from node_modules/.cache/thingscan',
            }),
        async (argv) => done(await (await run()).runSigLint(argv)),
      )
      .command(
        'new',
        'draft a signature file from a banner or a saved host record',
        (z) =>
          z
            .option('from', {
              type: 'string',
              demandOption: true,
              describe:
                'host record file (.ndjson/.json), banner file, - for stdin, or the banner text',
            })
            .option('protocol', {
              type: 'string',
              describe: 'protocol of a raw banner (default telnet)',
            })
            .option('field', { type: 'string', describe: 'probe field of a raw banner' })
            .option('class', { type: 'string', describe: 'device class (omit for software)' })
            .option('vendor', { type: 'string', describe: 'vendor slug from the registry' })
            .option('product', { type: 'string' })
            .option('output', {
              alias: 'o',
              type: 'string',
              describe: 'write here instead of stdout',
            })
            .option('signatures', {
              type: 'string',
              describe: 'library folder (to check the vendor)',
            })
            .example(
              "$0 sig new --from 'SSH-2.0-AcmeSSH_1.2' --protocol ssh --class router --vendor acme --product Edge",
              'draft a router signature',
            ),
        async (argv) => done(await (await run()).runSigNew(argv)),
      )
      .command(
        'stats',
        'coverage figures: signatures, vendors, classes, examples, issue 3 targets',
        (z) =>
          z
            .option('json', { type: 'boolean', default: false })
            .option('signatures', { type: 'string', describe: 'library folder' }),
        async (argv) => done(await (await run()).runSigStats(argv)),
      )
      .command(
        'heldout [file]',
        'score the library on held-out real-world banners (written without looking at the patterns)',
        (z) =>
          z
            .positional('file', {
              type: 'string',
              describe: 'held-out set (default test/fixtures/heldout/banners.yaml)',
            })
            .option('signatures', { type: 'string', describe: 'library folder' })
            .option('json', { type: 'boolean', default: false }),
        async (argv) => done(await (await run()).runSigHeldout(argv)),
      )
      .command(
        'schema',
        'print the JSON Schema of signature files (built from the code vocabularies)',
        (z) => z.option('output', { alias: 'o', type: 'string' }),
        async (argv) => done(await (await run()).runSigSchema(argv)),
      )
      .demandCommand(1, 'name a sig command: lint, test, new, stats, heldout or schema'),
  );
