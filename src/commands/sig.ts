/**
 * `thingscan sig …`: tools for signature contributors.
 */
import { loadSignatures, selfTest } from '../index.js';
import { type CommandRegistrar, EXIT, stderr } from './common.js';

type Maybe<T> = T | undefined;

function runSigTest(argv: { signatures?: Maybe<string>; path?: Maybe<string> }): number {
  const library = loadSignatures(argv.signatures ? { dir: argv.signatures } : {});
  const report = selfTest(library, argv.path);
  for (const f of report.failures) stderr(`${f.file}:${f.line}: ${f.signature}: ${f.message}`);
  const verdict = report.failures.length === 0 ? 'ok' : `${report.failures.length} failure(s)`;
  stderr(
    `sig test: ${report.signatures} signatures, ${report.examples} examples, ${report.counterexamples} counterexamples, ${report.negatives} generic banners: ${verdict}`,
  );
  return report.failures.length === 0 ? EXIT.ok : EXIT.signatures;
}

function runSigLint(argv: { signatures?: Maybe<string> }): number {
  const library = loadSignatures(argv.signatures ? { dir: argv.signatures } : {});
  stderr(`sig lint: ${library.signatures.length} signatures, ${library.vendors.size} vendors: ok`);
  return EXIT.ok;
}

/** Registers `sig test` and `sig lint`. */
export const registerSig: CommandRegistrar = (parser, done) =>
  parser.command('sig', 'signature library tools', (y) =>
    y
      .command(
        'test [path]',
        'run every example, counterexample and the generic-banner corpus against the whole library',
        (z) => z.positional('path', { type: 'string' }).option('signatures', { type: 'string' }),
        (argv) => done(runSigTest(argv)),
      )
      .command(
        'lint',
        'load and validate the library (schema, vocabularies, regex dialect)',
        (z) => z.option('signatures', { type: 'string' }),
        (argv) => done(runSigLint(argv)),
      )
      .demandCommand(1, 'name a sig command: test or lint'),
  );
