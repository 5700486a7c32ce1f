/**
 * Lab personas for identification depth (issue 4, part 2): devices that only an SNMP
 * enterprise number gives away — in a sysObjectID, or in the SNMPv3 engine ID an agent
 * reveals to an unauthenticated discovery, MAC included — and a host whose evidence
 * disagrees (a RouterOS telnet banner beside another maker's sysObjectID).
 *
 * The enterprise numbers and MAC prefixes are the makers' real ones (IANA, IEEE); the
 * rest (serials, host names, kernel versions) is made up. No signature reads these
 * OIDs or engine IDs: the verdict's vendor hints (`src/enrich/`) must do the work.
 */
import { DEVICE_CLASSES, type DeviceClass } from '../types.js';
import type { LabExpectation, PersonaDefinition, SnmpVariable } from './types.js';

function label(cls: DeviceClass, vendor: string): LabExpectation {
  return { class: cls, vendor_id: vendor, iot: DEVICE_CLASSES[cls] };
}

/** A system group whose text names no maker: only the sysObjectID can. */
function system(descr: string, objectId: string, name: string): SnmpVariable[] {
  return [
    { oid: '1.3.6.1.2.1.1.1.0', type: 'string', value: descr },
    { oid: '1.3.6.1.2.1.1.2.0', type: 'oid', value: objectId },
    { oid: '1.3.6.1.2.1.1.3.0', type: 'uptime', value: '' },
    { oid: '1.3.6.1.2.1.1.5.0', type: 'string', value: name },
  ];
}

/** The part-2 depth personas, appended to the lab's aggregate list. */
export const DEPTH2_PERSONAS: readonly PersonaDefinition[] = [
  {
    id: 'sysoid-router',
    description:
      'Peplink Balance router: SNMP v2c only, generic sysDescr, Peplink sysObjectID (enterprise 23695)',
    hostile: false,
    expected: label('router', 'peplink'),
    services: [
      {
        protocol: 'snmp',
        port: 161,
        snmp: {
          community: 'public',
          variables: system(
            'Linux 4.9.118 #1 SMP armv7l',
            '1.3.6.1.4.1.23695.1.1',
            'balance-office',
          ),
        },
      },
    ],
  },
  {
    id: 'engineid-camera',
    description:
      'Hikvision camera: SNMPv3 only (no public community); the engine ID carries enterprise 39165 and a Hikvision MAC',
    hostile: false,
    expected: label('camera', 'hikvision'),
    services: [
      {
        protocol: 'snmp',
        port: 161,
        snmp: {
          // A site community, not `public`: the v2c GET goes unanswered, as on most cameras.
          community: 'cam-ro-7731',
          variables: system('Linux 3.10.23', '1.3.6.1.4.1.39165.1.1', 'IPC-front'),
          // 80 00 98 fd (enterprise 39165, high bit set), 03 (MAC), 08:54:11:3c:4d:5e.
          engineId: '800098fd030854113c4d5e',
          engineBoots: 14,
        },
      },
    ],
  },
  {
    id: 'conflict-router',
    description:
      'RouterOS telnet banner beside a Peplink sysObjectID: one maker by signature, the other by enterprise number',
    hostile: false,
    expected: label('router', 'mikrotik'),
    services: [
      {
        protocol: 'telnet',
        port: 23,
        telnet: {
          negotiation: [0xff, 0xfd, 0x18, 0xff, 0xfd, 0x1f, 0xff, 0xfb, 0x01, 0xff, 0xfb, 0x03],
          banner: 'MikroTik v6.47.10 (long-term)\r\n',
          loginPrompt: 'Login: ',
          passwordPrompt: 'Password: ',
          failure: 'Login failed, incorrect username or password',
          maxAttempts: 3,
        },
      },
      {
        protocol: 'snmp',
        port: 161,
        snmp: {
          community: 'public',
          variables: system('Linux 4.9.118 #1 SMP armv7l', '1.3.6.1.4.1.23695.1.1', 'edge-gw'),
        },
      },
    ],
  },
];
