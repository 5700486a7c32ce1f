/**
 * Conformance of the telnet, SMTP and FTP probes against hostile loopback servers (the
 * SSH and HTTP probes run the same suite from their own test files).
 */
import { runConformance } from './support/conformance.js';

runConformance('telnet conformance', 'telnet', 23);
runConformance('smtp conformance', 'smtp', 25);
runConformance('ftp conformance', 'ftp', 21);
