/**
 * `thingscan lab`: the loopback device lab, until Ctrl-C.
 *
 * Options and help only (light to import: the CLI loads every command's definition);
 * the work is in `lab-run.ts`, imported by the handler.
 */
import type { CommandRegistrar } from './common.js';

/** The implementation, imported only when the command runs. */
const run = () => import('./lab-run.js');

/** Registers `lab`. */
export const registerLab: CommandRegistrar = (parser, done) =>
  parser.command(
    'lab',
    'start the loopback device lab and print its address table (Ctrl-C stops it)',
    (y) =>
      y
        .option('prefix', {
          type: 'string',
          default: '127.77.0',
          describe: 'first three octets of the loopback addresses',
        })
        .option('port-offset', {
          type: 'string',
          default: 'auto',
          describe: "'auto' (standard ports when allowed) or a number added to every port",
        })
        .option('scale', {
          type: 'number',
          describe:
            'scale mode: serve N addresses from 127.64.0.1 on wildcard listeners (inside a private network namespace only)',
        })
        .option('delay-ms', {
          type: 'number',
          default: 0,
          describe: 'scale mode: simulated round trip added to every reply, ms',
        })
        .option('jitter-ms', {
          type: 'number',
          default: 0,
          describe: 'scale mode: each connection draws its delay in delay ± jitter, ms',
        }),
    async (argv) => done(await (await run()).runLab(argv)),
  );
