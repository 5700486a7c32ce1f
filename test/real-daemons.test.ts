/**
 * thingscan against real daemons from Debian packages, not the lab's imitations: OpenSSH,
 * Dropbear, BusyBox telnetd and httpd, lighttpd and nginx (both also over HTTPS with a
 * self-signed certificate), mini_httpd, Apache, vsftpd, Exim, Net-SNMP snmpd, MiniDLNA,
 * MiniUPnPd, webfs, Twisted Web, CUPS's cupsd, H2O, CivetWeb, Gerbera, gmediarender,
 * ser2net, VLC (RTSP and its HTTP interface) and GStreamer's RTSP server, uStreamer, Motion, MPD, Icecast, pyftpdlib,
 * Transmission, Caddy (HTTP and internal-CA HTTPS), Shell In A Box, Dovecot (submission,
 * IMAP, POP3),
 * snapserver, Tinyproxy, Squid, rsync's daemon, gpsd, Shairport Sync (AirPlay RTSP), Rygel,
 * aiohttp, Privoxy, HAProxy, stunnel, Varnish, nginx's SMTP mail proxy, and inetutils telnetd, micro_httpd and TinySSH under openbsd-inetd run in the
 * foreground from configs written to a temporary folder, inside a private network
 * namespace (loopback only, 127.77.60.x), and the CLI scans them from inside it. Packages
 * that conflict with those as Debian packages (Postfix, OpenSMTPD, Sendmail, Courier, ProFTPD, Pure-FTPd,
 * inetutils and NetKit ftpd, NetKit telnetd) run from the trees `.ci/run` unpacks with
 * `dpkg -x` into {@link DEBS}, never installed.
 * Expected versions come from dpkg at test time (the package owning the binary, or the
 * unpacked .deb's control), never from a hard-coded string. Needs root, iproute2 and the
 * packages `.ci/run` installs or unpacks; a subtest whose daemon is missing is skipped
 * with the reason.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes, X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import {
  chmodSync,
  chownSync,
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { faviconMmh3 } from '../probes/parsers/mmh3.js';
import { createNetns, type Netns, netnsUnavailable } from '../src/bench/netns.js';
import type { HostRecord, ServiceRecord } from '../src/types.js';
import { CLI } from './support/paths.js';

const PREFIX = '127.77.60';
/** miniupnpd's device UUID (its USN). */
const MINIUPNPD_UUID = '3d3cec3a-8cf0-11e0-98ee-001a6bd2d07b';
/** gmediarender's device UUID (its USN). */
const GMEDIARENDER_UUID = '5e1b7a52-3c0d-4f7e-9a61-2b8c4d0e7f10';
/** Subject of the HTTPS test certificate: a test name, no maker's. */
const HTTPS_NAME = 'daemons.example.test';
const HTTPS_SUBJECT = `CN=${HTTPS_NAME}, O=Real daemon test`;
const unavailable = netnsUnavailable();
/** stunnel's own openssl.cnf (its `make cert` defaults), as Debian's stunnel4 ships it. */
const STUNNEL_CNF = '/usr/share/doc/stunnel4/examples/openssl.cnf';
/** nginx's mail module, as Debian's libnginx-mod-mail installs it. */
const NGINX_MAIL = '/usr/lib/nginx/modules/ngx_mail_module.so';

/** Where a binary lives, or null when it is not installed. */
/**
 * A UPnP daemon on this Linux box names no maker and no IoT class. Its SSDP line carries
 * the kernel release: on a machine running a stock distribution kernel ("6.1.0-18-amd64")
 * that line makes the host a computer (generic/distro-kernel); elsewhere nothing is said.
 */
function assertNoThing(host: HostRecord): void {
  assert.equal(host.device?.vendor_id ?? null, null, 'no maker');
  assert.ok(
    host.device === null || host.device.class === 'computer',
    `no IoT class, got ${host.device?.class}`,
  );
}

function which(name: string): string | null {
  for (const dir of ['/usr/sbin', '/usr/bin', '/sbin', '/bin']) {
    const p = path.join(dir, name);
    if (existsSync(p)) return p;
  }
  return null;
}

/** True when dpkg has `pkg` installed. */
function installed(pkg: string): boolean {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's format, not a template
  const status = spawnSync('dpkg-query', ['-W', '-f', '${Status}', pkg], { encoding: 'utf8' });
  return status.stdout === 'install ok installed';
}

/** Full Debian version (`1:9.2p1-2+deb12u10`) of the package that owns `binary`. */
function packageVersion(binary: string): string {
  const owner = execFileSync('dpkg-query', ['-S', binary], { encoding: 'utf8' });
  const pkg = (owner.split(':')[0] ?? '').trim();
  // Without -f, `dpkg-query -W` prints "package<TAB>version".
  const line = execFileSync('dpkg-query', ['-W', pkg], { encoding: 'utf8' });
  return (line.trim().split('\t')[1] ?? '').trim();
}

/** Upstream version of the package that owns `binary` (epoch, revision, +dfsg cut). */
function upstreamVersion(binary: string): string {
  return upstreamOf(packageVersion(binary));
}

/** Debian revision of the package that owns `binary` (`2+deb12u10`). */
function debianRevision(binary: string): string {
  const full = packageVersion(binary);
  return full.slice(full.lastIndexOf('-') + 1);
}

/**
 * Where `.ci/run` unpacks the Debian packages that cannot be installed beside the others
 * (Postfix, OpenSMTPD and Exim all provide mail-transport-agent; ProFTPD, Pure-FTPd and
 * vsftpd all provide ftp-server): `apt-get download` and `dpkg -x`, never installed.
 */
const DEBS = process.env['THINGSCAN_DEBS'] ?? '/tmp/thingscan-debs';

/**
 * Where the test's own files go: daemons that drop to their own users (nginx's www-data,
 * postfix) must be able to reach them, so a private TMPDIR (mode 0700) is passed over for
 * /tmp.
 */
function daemonTmp(): string {
  const base = tmpdir();
  try {
    if ((statSync(base).mode & 0o001) !== 0) return base;
  } catch {
    // Unreadable TMPDIR: /tmp below.
  }
  return '/tmp';
}

/** An unpacked package: its tree, and its version from the .deb's control. */
interface Unpacked {
  readonly root: string;
  /** Full Debian version (`3.7.11-0+deb12u1`). */
  readonly version: string;
}

/** `pkg` as `.ci/run` unpacked it (its .deb and tree in {@link DEBS}), or null. */
function unpacked(pkg: string, file: string): Unpacked | null {
  const root = path.join(DEBS, pkg);
  if (!existsSync(path.join(root, file))) return null;
  const deb = (existsSync(DEBS) ? readdirSync(DEBS) : []).find(
    (f) => f.startsWith(`${pkg}_`) && f.endsWith('.deb'),
  );
  if (!deb) return null;
  const version = execFileSync('dpkg-deb', ['-f', path.join(DEBS, deb), 'Version'], {
    encoding: 'utf8',
  }).trim();
  return { root, version };
}

/**
 * Upstream part of a Debian version (epoch, revision, +dfsg cut); "A+reallyB", Debian's
 * way of going back to an older upstream, is B.
 */
function upstreamOf(full: string): string {
  return full
    .replace(/^[0-9]+:/, '')
    .replace(/-[^-]*$/, '')
    .replace(/^.*\+really/, '')
    .replace(/[+~].*$/, '');
}

/**
 * A daemon's log once `pattern` is in it, or whatever it holds after `ms`: some write a
 * line a moment after the client left (Dovecot through its log process, Squid), and the
 * scan may have ended first.
 */
async function logWith(file: string, pattern: RegExp, ms = 5000): Promise<string> {
  const deadline = Date.now() + ms;
  for (;;) {
    const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
    if (pattern.test(text) || Date.now() >= deadline) return text;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** OpenSSH-style SHA256 fingerprint (unpadded base64) of an `algo base64 [comment]` line. */
function keyFingerprint(publicLine: string): string {
  const blob = publicLine.trim().split(/\s+/)[1] ?? '';
  return createHash('sha256')
    .update(Buffer.from(blob, 'base64'))
    .digest('base64')
    .replace(/=+$/, '');
}

/** One daemon of the test: how to start it and where it listens. */
interface Daemon {
  readonly id: string;
  readonly address: string;
  readonly port: number;
  readonly transport: 'tcp' | 'udp';
  /** Reason to skip, or null when it can run. */
  readonly missing: string | null;
  /** Writes configs and returns the command line to run inside the namespace. */
  readonly prepare: () => readonly string[];
  /**
   * The local socket `ss` shows once it is ready, when not `address:port`: daemons that bind
   * a wildcard address (`0.0.0.0:8200`), which is private to the namespace all the same.
   */
  readonly listens?: string;
  /**
   * Runs alone in a namespace of its own, scanned on its own: it binds a wildcard address
   * (MiniDLNA's 0.0.0.0:8200), which every other target of a shared namespace would show.
   */
  readonly alone?: boolean;
}

/** Ports every target is scanned on: the daemons' own, and SSDP's (the iot preset's udp/1900). */
const SCAN_PORTS =
  'T:21,22,23,25,80,110,143,443,554,587,631,873,1780,2000,2947,3128,4200,5000,6600,8000,6081,8080,8118,8200,8554,8888,9091,49152,U:161,1900';

describe('real daemons from Debian packages', { skip: unavailable ?? false }, () => {
  const dir = mkdtempSync(path.join(daemonTmp(), 'thingscan-daemons-'));
  const www = path.join(dir, 'www');
  const favicon = randomBytes(318);
  const sshd = which('sshd');
  const dropbear = which('dropbear');
  const busybox = which('busybox');
  const applets = busybox ? spawnSync(busybox, ['--list'], { encoding: 'utf8' }).stdout : '';
  const telnetd = applets.includes('telnetd\n');
  const exim = which('exim4');
  const debianIssue = existsSync('/etc/issue')
    ? /^Debian GNU\/Linux (?<v>[0-9]{1,2})\b/.exec(readFileSync('/etc/issue', 'utf8'))
    : null;
  const conf = (name: string, text: string): string => {
    const p = path.join(dir, name);
    writeFileSync(p, text);
    return p;
  };
  /** A lighttpd config serving `www` on `address`, its errors in `<name>.err`, plus `lines`. */
  const lighttpdConf = (name: string, address: string, lines: string[]): string =>
    conf(
      `${name}.conf`,
      [
        `server.document-root = "${www}"`,
        `server.bind = "${address}"`,
        ...lines,
        `server.errorlog = "${dir}/${name}.err"`,
        'index-file.names = ("index.html")',
        'mimetype.assign = (".html" => "text/html", ".ico" => "image/x-icon")',
        '',
      ].join('\n'),
    );
  const need = (bin: string | null, pkg: string): string | null =>
    bin ? null : `${pkg} not installed (apt-get install ${pkg}; .ci/run does)`;
  const postfix = unpacked('postfix', 'usr/lib/postfix/sbin/master');
  const opensmtpd = unpacked('opensmtpd', 'usr/sbin/smtpd');
  const proftpd = unpacked('proftpd-core', 'usr/sbin/proftpd');
  const pureftpd = unpacked('pure-ftpd', 'usr/sbin/pure-ftpd');
  const inetutilsFtpd = unpacked('inetutils-ftpd', 'usr/sbin/ftpd');
  const netkitFtpd = unpacked('ftpd-ssl', 'usr/sbin/in.ftpd');
  const netkitTelnetd = unpacked('telnetd-ssl', 'usr/sbin/in.telnetd');
  /** Debian's python3-twisted (a module of Debian's own python3, not any other python). */
  const twisted = '/usr/lib/python3/dist-packages/twisted/__init__.py';
  /** Debian's python3-pyftpdlib, likewise. */
  const pyftpdlib = '/usr/lib/python3/dist-packages/pyftpdlib/__init__.py';
  /** Debian's python3-aiohttp, likewise. */
  const aiohttp = '/usr/lib/python3/dist-packages/aiohttp/__init__.py';
  const sendmail = unpacked('sendmail-bin', 'usr/libexec/sendmail/sendmail');
  const sendmailCf = unpacked('sendmail-cf', 'usr/share/sendmail/cf/m4/cf.m4');
  const courier = unpacked('courier-mta', 'usr/lib/courier/courier/modules/esmtp/courieresmtpd');
  const courierBase = unpacked('courier-base', 'usr/sbin/couriertcpd');
  const courierAuth = unpacked('courier-authlib', 'usr/lib/libcourierauth.so.0');
  /** The banner Debian's /etc/ser2net.yaml defines (its `define: &banner` line), or null. */
  const ser2netBanner = existsSync('/etc/ser2net.yaml')
    ? (/^define: &banner .*$/m.exec(readFileSync('/etc/ser2net.yaml', 'utf8'))?.[0] ?? null)
    : null;
  const ser2netNoBanner = '/etc/ser2net.yaml (ser2net) defines no &banner';
  const needUnpacked = (u: Unpacked | null, pkg: string): string | null =>
    u ? null : `${pkg} not unpacked in ${DEBS} (.ci/run does: apt-get download, dpkg -x)`;

  /** The HTTPS daemons' self-signed certificate (subject {@link HTTPS_SUBJECT}) and key. */
  function selfSignedCertificate(cert: string, key: string): void {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-subj',
        `/${HTTPS_SUBJECT.replaceAll(', ', '/')}`,
        '-addext',
        `subjectAltName=DNS:${HTTPS_NAME}`,
        '-days',
        '2',
        '-keyout',
        key,
        '-out',
        cert,
      ],
      { stdio: 'ignore' },
    );
  }

  /** A vsftpd on `address`:21 with these extra config lines. */
  function vsftpd(id: string, address: string, extra: readonly string[]): Daemon {
    const bin = which('vsftpd');
    return {
      id,
      address,
      port: 21,
      transport: 'tcp',
      missing: need(bin, 'vsftpd'),
      prepare: () => {
        const empty = path.join(dir, 'empty');
        mkdirSync(empty, { recursive: true, mode: 0o755 });
        const config = conf(
          `${id}.conf`,
          [
            'listen=YES',
            'listen_ipv6=NO',
            'background=NO',
            `listen_address=${address}`,
            'listen_port=21',
            'anonymous_enable=NO',
            ...extra,
            `secure_chroot_dir=${empty}`,
            '',
          ].join('\n'),
        );
        return [bin as string, config];
      },
    };
  }

  /**
   * openbsd-inetd in the foreground (-d) with one service: `address:port` runs `argv` per
   * connection, as on firmware and old servers. One inetd per service keeps the daemons
   * one process each.
   */
  function inetd(
    id: string,
    address: string,
    port: number,
    bin: string | null,
    pkg: string,
    user: string,
    args: readonly string[],
    setup: () => void = () => {},
    absent: string | null = need(bin, pkg),
  ): Daemon {
    const superserver = which('inetd');
    return {
      id,
      address,
      port,
      transport: 'tcp',
      missing: need(superserver, 'openbsd-inetd') ?? absent,
      prepare: () => {
        setup();
        const name = path.basename(bin as string);
        const line = `${address}:${port} stream tcp nowait ${user} ${bin} ${name} ${args.join(' ')}`;
        return [superserver as string, '-d', conf(`${id}-inetd.conf`, `${line}\n`)];
      },
    };
  }

  /**
   * Runs a command as nobody (VLC and Icecast refuse root): setpriv execs it, so the
   * daemon is the process the test signals, not a parent that waits for it.
   */
  const asNobody = [
    which('setpriv') as string,
    '--reuid=nobody',
    '--regid=nogroup',
    '--clear-groups',
  ] as const;

  const daemons: Daemon[] = [
    {
      id: 'openssh',
      address: `${PREFIX}.1`,
      port: 22,
      transport: 'tcp',
      missing: need(sshd, 'openssh-server'),
      prepare: () => {
        const key = path.join(dir, 'ssh_host_ed25519_key');
        execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]);
        // Privilege separation needs its compiled-in empty directory (Debian's unit makes it).
        mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
        const config = conf(
          'sshd_config',
          [
            `ListenAddress ${PREFIX}.1:22`,
            `HostKey ${key}`,
            `PidFile ${dir}/sshd.pid`,
            'UsePAM no',
            'PasswordAuthentication no',
            'KbdInteractiveAuthentication no',
            '',
          ].join('\n'),
        );
        return [sshd as string, '-D', '-e', '-f', config];
      },
    },
    {
      id: 'dropbear',
      address: `${PREFIX}.2`,
      port: 22,
      transport: 'tcp',
      missing: need(dropbear, 'dropbear-bin'),
      prepare: () => {
        const key = path.join(dir, 'dropbear_ed25519');
        execFileSync('dropbearkey', ['-t', 'ed25519', '-f', key], { stdio: 'ignore' });
        return [dropbear as string, '-F', '-E', '-s', '-p', `${PREFIX}.2:22`, '-r', key];
      },
    },
    {
      // As on firmware: no /etc/issue text (bind-mounted over in this process's own mount
      // namespace, which `ip netns exec` creates), BusyBox's own login applet.
      id: 'busybox-telnetd',
      address: `${PREFIX}.3`,
      port: 23,
      transport: 'tcp',
      missing: telnetd
        ? null
        : 'busybox without the telnetd applet (apt-get install busybox-static)',
      prepare: () => {
        const login = path.join(dir, 'login');
        if (!existsSync(login)) symlinkSync(busybox as string, login);
        const issue = conf('issue', '');
        return [
          'sh',
          '-c',
          `mount --bind ${issue} /etc/issue && exec ${busybox} telnetd -F -b ${PREFIX}.3:23 -l ${login} -f /dev/null`,
        ];
      },
    },
    {
      // The same daemon on this Debian host: its login prints the host's /etc/issue.
      id: 'busybox-telnetd-debian-issue',
      address: `${PREFIX}.4`,
      port: 23,
      transport: 'tcp',
      missing: !telnetd
        ? 'busybox without the telnetd applet (apt-get install busybox-static)'
        : debianIssue
          ? null
          : '/etc/issue does not name Debian on this machine',
      prepare: () => {
        const login = path.join(dir, 'login');
        if (!existsSync(login)) symlinkSync(busybox as string, login);
        return [busybox as string, 'telnetd', '-F', '-b', `${PREFIX}.4:23`, '-l', login];
      },
    },
    {
      id: 'lighttpd',
      address: `${PREFIX}.5`,
      port: 80,
      transport: 'tcp',
      missing: need(which('lighttpd'), 'lighttpd'),
      prepare: () => {
        const config = lighttpdConf('lighttpd', `${PREFIX}.5`, ['server.port = 80']);
        return [which('lighttpd') as string, '-D', '-f', config];
      },
    },
    {
      id: 'nginx',
      address: `${PREFIX}.6`,
      port: 80,
      transport: 'tcp',
      missing: need(which('nginx'), 'nginx-light'),
      prepare: () => {
        const prefix = path.join(dir, 'nginx');
        mkdirSync(prefix, { recursive: true });
        const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
          .map((t) => `${t}_temp_path ${prefix};`)
          .join(' ');
        const config = conf(
          'nginx.conf',
          `pid ${dir}/nginx.pid;\nerror_log ${dir}/nginx.err;\nworker_processes 1;\n` +
            'events { worker_connections 64; }\n' +
            `http { access_log off; ${temp}\n  server { listen ${PREFIX}.6:80; root ${www}; } }\n`,
        );
        return [which('nginx') as string, '-g', 'daemon off;', '-p', prefix, '-c', config];
      },
    },
    {
      id: 'mini-httpd',
      address: `${PREFIX}.7`,
      port: 80,
      transport: 'tcp',
      missing: need(which('mini_httpd'), 'mini-httpd'),
      prepare: () => [
        which('mini_httpd') as string,
        '-D',
        '-h',
        `${PREFIX}.7`,
        '-p',
        '80',
        '-d',
        www,
        '-l',
        path.join(dir, 'mini_httpd.log'),
      ],
    },
    vsftpd('vsftpd', `${PREFIX}.8`, ['local_enable=YES', 'pam_service_name=vsftpd']),
    // Both logins off: vsftpd greets with "500 OOPS: …" and hangs up, as misconfigured
    // servers in the field do.
    vsftpd('vsftpd-oops', `${PREFIX}.11`, ['local_enable=NO']),
    {
      id: 'exim',
      address: `${PREFIX}.9`,
      port: 25,
      transport: 'tcp',
      missing: need(exim, 'exim4-daemon-light'),
      prepare: () => {
        // Exim run with -C by root keeps the Debian-exim group: its files must be its own.
        const spool = path.join(dir, 'exim');
        mkdirSync(spool, { recursive: true });
        const uid = Number(execFileSync('id', ['-u', 'Debian-exim'], { encoding: 'utf8' }));
        const gid = Number(execFileSync('id', ['-g', 'Debian-exim'], { encoding: 'utf8' }));
        chownSync(spool, uid, gid);
        const config = conf(
          'exim.conf',
          [
            'keep_environment =',
            'tls_advertise_hosts =',
            `spool_directory = ${spool}`,
            `log_file_path = ${spool}/%s.log`,
            `local_interfaces = ${PREFIX}.9`,
            'daemon_smtp_ports = 25',
            'primary_hostname = mail.example.test',
            'acl_smtp_rcpt = refuse',
            'begin acl',
            'refuse:',
            '  deny',
            '',
          ].join('\n'),
        );
        return [exim as string, '-bdf', '-C', config];
      },
    },
    {
      // Debian's build with its default ServerTokens (Full): "Apache/<version> (Debian)".
      id: 'apache2',
      address: `${PREFIX}.12`,
      port: 80,
      transport: 'tcp',
      missing: need(which('apache2'), 'apache2'),
      prepare: () => {
        const modules = '/usr/lib/apache2/modules';
        const config = conf(
          'apache2.conf',
          [
            `ServerRoot ${dir}`,
            `PidFile ${dir}/apache2.pid`,
            `ErrorLog ${dir}/apache2.err`,
            `DefaultRuntimeDir ${dir}`,
            `LoadModule mpm_event_module ${modules}/mod_mpm_event.so`,
            `LoadModule authz_core_module ${modules}/mod_authz_core.so`,
            `LoadModule mime_module ${modules}/mod_mime.so`,
            'TypesConfig /dev/null',
            `LoadModule dir_module ${modules}/mod_dir.so`,
            'User www-data',
            'Group www-data',
            'ServerName www.example.test',
            `Listen ${PREFIX}.12:80`,
            `DocumentRoot ${www}`,
            `<Directory ${www}>`,
            '  Require all granted',
            '</Directory>',
            'DirectoryIndex index.html',
            'AddType image/x-icon .ico',
            '',
          ].join('\n'),
        );
        return [which('apache2') as string, '-DFOREGROUND', '-f', config];
      },
    },
    {
      // The scanner's read community, limited to the system subtree.
      id: 'snmpd',
      address: `${PREFIX}.10`,
      port: 161,
      transport: 'udp',
      missing: need(which('snmpd'), 'snmpd'),
      prepare: () => {
        const config = conf(
          'snmpd.conf',
          'view systemonly included .1.3.6.1.2.1.1\nrocommunity public 127.0.0.0/8 -V systemonly\n',
        );
        return [
          'env',
          `SNMP_PERSISTENT_DIR=${dir}`,
          'MIBS=',
          which('snmpd') as string,
          '-f',
          '-Lo',
          '-C',
          '-c',
          config,
          '-I',
          '-smux',
          `udp:${PREFIX}.10:161`,
        ];
      },
    },
    {
      // The media server of NAS boxes: HTTP on 8200; its SSDP socket is bound to the
      // multicast group (239.255.255.250:1900), so unicast M-SEARCH never reaches it.
      id: 'minidlna',
      address: `${PREFIX}.13`,
      port: 8200,
      transport: 'tcp',
      listens: '0.0.0.0:8200',
      alone: true,
      missing: need(which('minidlnad'), 'minidlna'),
      prepare: () => {
        const media = path.join(dir, 'media');
        mkdirSync(media, { recursive: true });
        const config = conf(
          'minidlna.conf',
          [
            `media_dir=${media}`,
            `db_dir=${dir}/minidlna-db`,
            `log_dir=${dir}`,
            'port=8200',
            'inotify=no',
            'friendly_name=Real daemon media',
            '',
          ].join('\n'),
        );
        return [which('minidlnad') as string, '-S', '-f', config, '-P', `${dir}/minidlna.pid`];
      },
    },
    {
      // Router UPnP IGD as Debian packages it (its own description defaults). Its SSDP
      // socket is a wildcard on udp/1900, but it answers only on its listening address
      // (added to the namespace's loopback); its port-mapping rules are nftables tables of
      // this namespace, which go with it.
      id: 'miniupnpd',
      address: `${PREFIX}.14`,
      port: 1900,
      transport: 'udp',
      listens: '0.0.0.0:1900',
      alone: true,
      missing: need(which('miniupnpd'), 'miniupnpd'),
      prepare: () => {
        const config = conf(
          'miniupnpd.conf',
          [
            'ext_ifname=lo',
            `listening_ip=${PREFIX}.14`,
            'http_port=5000',
            'enable_natpmp=no',
            `uuid=${MINIUPNPD_UUID}`,
            'secure_mode=yes',
            'allow 1024-65535 127.0.0.0/8 1024-65535',
            'deny 0-65535 0.0.0.0/0 0-65535',
            '',
          ].join('\n'),
        );
        return [
          'sh',
          '-c',
          `ip addr add ${PREFIX}.14/32 dev lo && exec ${which('miniupnpd')} -d -f ${config}`,
        ];
      },
    },
    inetd(
      'inetutils-telnetd',
      `${PREFIX}.15`,
      23,
      which('telnetd'),
      'inetutils-telnetd',
      'root',
      [],
    ),
    inetd('micro-httpd', `${PREFIX}.16`, 80, which('micro-httpd'), 'micro-httpd', 'nobody', [www]),
    inetd(
      'tinysshd',
      `${PREFIX}.17`,
      22,
      which('tinysshd'),
      'tinysshd',
      'root',
      [path.join(dir, 'tinyssh')],
      () => execFileSync('tinysshd-makekey', [path.join(dir, 'tinyssh')]),
    ),
    {
      id: 'webfs',
      address: `${PREFIX}.18`,
      port: 80,
      transport: 'tcp',
      missing: need(which('webfsd'), 'webfs'),
      prepare: () => [
        which('webfsd') as string,
        '-F',
        '-i',
        `${PREFIX}.18`,
        '-p',
        '80',
        '-r',
        www,
        '-f',
        'index.html',
      ],
    },
    {
      // The web server of router and camera UIs: the test page, and no icon.
      id: 'busybox-httpd',
      address: `${PREFIX}.19`,
      port: 80,
      transport: 'tcp',
      missing: /^httpd$/m.test(applets)
        ? null
        : 'busybox without the httpd applet (apt-get install busybox-static)',
      prepare: () => {
        const site = path.join(dir, 'busybox-www');
        mkdirSync(site, { recursive: true });
        writeFileSync(path.join(site, 'index.html'), readFileSync(path.join(www, 'index.html')));
        return [busybox as string, 'httpd', '-f', '-p', `${PREFIX}.19:80`, '-h', site];
      },
    },
    {
      // Postfix from its unpacked .deb: master in the foreground (-d), logging to stdout
      // (-s), with smtpd and the two services it needs; Debian's own smtpd_banner.
      id: 'postfix',
      address: `${PREFIX}.20`,
      port: 25,
      transport: 'tcp',
      missing: needUnpacked(postfix, 'postfix'),
      prepare: () => {
        const root = (postfix as Unpacked).root;
        const libs = path.join(root, 'usr/lib/postfix');
        const config = path.join(dir, 'postfix');
        const queue = path.join(dir, 'postfix-queue');
        // Queue folders master expects; its sockets' folders belong to mail_owner.
        const nobody = Number(execFileSync('id', ['-u', 'nobody'], { encoding: 'utf8' }));
        for (const sub of ['pid', 'private', 'public', 'data']) {
          mkdirSync(path.join(queue, sub), { recursive: true });
          if (sub !== 'pid') chownSync(path.join(queue, sub), nobody, -1);
        }
        mkdirSync(config, { recursive: true });
        const debian = readFileSync(path.join(root, 'usr/share/postfix/main.cf.debian'), 'utf8');
        const banner = /^smtpd_banner\s*=.*$/m.exec(debian)?.[0] ?? '';
        writeFileSync(
          path.join(config, 'main.cf'),
          [
            'compatibility_level = 3.6',
            banner,
            `queue_directory = ${queue}`,
            `data_directory = ${queue}/data`,
            `daemon_directory = ${libs}/sbin`,
            `shlib_directory = ${libs}`,
            `meta_directory = ${config}`,
            // Its daemons find their shared libraries through the unpacked tree.
            `import_environment = MAIL_CONFIG LANG=C LD_LIBRARY_PATH=${libs}`,
            // Users of every Debian system (the package's own "postfix" is not created).
            'mail_owner = nobody',
            'default_privs = daemon',
            'setgid_group = mail',
            'myhostname = mail.example.test',
            'inet_interfaces = all',
            'inet_protocols = ipv4',
            'maillog_file = /dev/stdout',
            'smtpd_peername_lookup = no',
            'local_recipient_maps =',
            'smtpd_relay_restrictions = reject',
            '',
          ].join('\n'),
        );
        writeFileSync(
          path.join(config, 'master.cf'),
          [
            `${PREFIX}.20:25 inet n - n - - smtpd`,
            'anvil unix - - n - 1 anvil',
            'postlog unix-dgram n - n - 1 postlogd',
            '',
          ].join('\n'),
        );
        return [
          'env',
          `LD_LIBRARY_PATH=${libs}`,
          path.join(libs, 'sbin/master'),
          '-d',
          '-s',
          '-c',
          config,
        ];
      },
    },
    {
      // OpenSMTPD from its unpacked .deb. Its users (opensmtpd, group opensmtpq), chroot
      // (/var/lib/opensmtpd/empty) and spool (/var/spool/smtpd) are compiled in and belong
      // to the package: copies of passwd and group with them, and folders of the temporary
      // folder, are bind-mounted over the system's in this process's own mount namespace.
      id: 'opensmtpd',
      address: `${PREFIX}.21`,
      port: 25,
      transport: 'tcp',
      missing: needUnpacked(opensmtpd, 'opensmtpd'),
      prepare: () => {
        const base = path.join(dir, 'opensmtpd');
        mkdirSync(path.join(base, 'spool'), { recursive: true });
        mkdirSync(path.join(base, 'lib', 'opensmtpd', 'empty'), { recursive: true });
        const passwd = conf(
          'opensmtpd-passwd',
          `${readFileSync('/etc/passwd', 'utf8')}opensmtpd:x:60990:65534::/nonexistent:/usr/sbin/nologin\n` +
            'opensmtpq:x:60991:60991::/nonexistent:/usr/sbin/nologin\n',
        );
        const group = conf(
          'opensmtpd-group',
          `${readFileSync('/etc/group', 'utf8')}opensmtpq:x:60991:\n`,
        );
        const config = conf(
          'opensmtpd.conf',
          `listen on ${PREFIX}.21 port 25 hostname mail.example.test\nmatch from any for any reject\n`,
        );
        const mounts = [
          [passwd, '/etc/passwd'],
          [group, '/etc/group'],
          [path.join(base, 'spool'), '/var/spool'],
          [path.join(base, 'lib'), '/var/lib'],
        ]
          .map(([from, to]) => `mount --bind ${from} ${to}`)
          .join(' && ');
        const smtpd = path.join((opensmtpd as Unpacked).root, 'usr/sbin/smtpd');
        return ['sh', '-c', `${mounts} && exec ${smtpd} -d -f ${config}`];
      },
    },
    {
      // ProFTPD from its unpacked .deb, with ServerName as Debian's own proftpd.conf sets it.
      id: 'proftpd',
      address: `${PREFIX}.22`,
      port: 21,
      transport: 'tcp',
      missing: needUnpacked(proftpd, 'proftpd-core'),
      prepare: () => {
        const root = (proftpd as Unpacked).root;
        const shipped = readFileSync(
          path.join(root, 'usr/share/proftpd/templates/proftpd.conf'),
          'utf8',
        );
        const config = conf(
          'proftpd.conf',
          [
            /^ServerName\s.*$/m.exec(shipped)?.[0] ?? '',
            'ServerType standalone',
            'UseIPv6 off',
            `DefaultAddress ${PREFIX}.22`,
            'SocketBindTight on',
            'Port 21',
            'User nobody',
            'Group nogroup',
            `PidFile ${dir}/proftpd.pid`,
            `ScoreboardFile ${dir}/proftpd.scoreboard`,
            'WtmpLog off',
            'UseReverseDNS off',
            '',
          ].join('\n'),
        );
        return [path.join(root, 'usr/sbin/proftpd'), '-n', '-c', config];
      },
    },
    {
      // Pure-FTPd from its unpacked .deb, in the foreground, anonymous logins off (-E).
      id: 'pure-ftpd',
      address: `${PREFIX}.23`,
      port: 21,
      transport: 'tcp',
      missing: needUnpacked(pureftpd, 'pure-ftpd'),
      prepare: () => [
        path.join((pureftpd as Unpacked).root, 'usr/sbin/pure-ftpd'),
        '-S',
        `${PREFIX}.23,21`,
        '-E',
      ],
    },
    // The ftpds of GNU/Linux distributions, from their unpacked .debs (both are ftp-server).
    inetd(
      'inetutils-ftpd',
      `${PREFIX}.24`,
      21,
      inetutilsFtpd && path.join(inetutilsFtpd.root, 'usr/sbin/ftpd'),
      'inetutils-ftpd',
      'root',
      [],
      () => {},
      needUnpacked(inetutilsFtpd, 'inetutils-ftpd'),
    ),
    inetd(
      'netkit-ftpd',
      `${PREFIX}.25`,
      21,
      netkitFtpd && path.join(netkitFtpd.root, 'usr/sbin/in.ftpd'),
      'ftpd-ssl',
      'root',
      [],
      () => {},
      needUnpacked(netkitFtpd, 'ftpd-ssl'),
    ),
    // NetKit telnetd as Debian ships it now (telnetd-ssl; "telnetd" is inetutils'), from
    // its unpacked .deb: its certificate (the package's postinst makes one) and its login
    // helper from the unpacked tree.
    inetd(
      'netkit-telnetd',
      `${PREFIX}.26`,
      23,
      netkitTelnetd && path.join(netkitTelnetd.root, 'usr/sbin/in.telnetd'),
      'telnetd-ssl',
      'root',
      [
        '-z',
        `cert=${path.join(dir, 'telnetd.pem')}`,
        '-L',
        netkitTelnetd ? path.join(netkitTelnetd.root, 'usr/lib/telnetlogin') : '',
      ],
      () => {
        const pem = path.join(dir, 'telnetd.pem');
        execFileSync(
          'openssl',
          [
            'req',
            '-x509',
            // An RSA key: it loads its key with SSL_CTX_use_RSAPrivateKey_file.
            '-newkey',
            'rsa:2048',
            '-nodes',
            '-subj',
            '/CN=telnetd',
            '-days',
            '2',
            '-keyout',
            pem,
            '-out',
            pem,
          ],
          { stdio: 'ignore' },
        );
      },
      needUnpacked(netkitTelnetd, 'telnetd-ssl') ?? need(which('openssl'), 'openssl'),
    ),
    {
      // A bare Twisted Web, the server under Dreambox/VU+ OpenWebif: no set-top box here.
      id: 'twisted-web',
      address: `${PREFIX}.27`,
      port: 80,
      transport: 'tcp',
      missing:
        existsSync('/usr/bin/python3') && existsSync(twisted)
          ? null
          : need(null, 'python3-twisted'),
      prepare: () => [
        '/usr/bin/python3',
        '-m',
        'twisted',
        'web',
        '--listen',
        `tcp:80:interface=${PREFIX}.27`,
        '--path',
        www,
      ],
    },
    {
      // CUPS's cupsd in the foreground, every file of its own in the temporary folder.
      id: 'cupsd',
      address: `${PREFIX}.28`,
      port: 631,
      transport: 'tcp',
      missing: need(which('cupsd'), 'cups-daemon'),
      prepare: () => {
        const base = path.join(dir, 'cups');
        for (const sub of ['root', 'state', 'cache', 'spool', 'log'])
          mkdirSync(path.join(base, sub), { recursive: true });
        const files = conf(
          'cups-files.conf',
          [
            `ServerRoot ${base}/root`,
            `StateDir ${base}/state`,
            `CacheDir ${base}/cache`,
            `RequestRoot ${base}/spool`,
            `TempDir ${base}/spool`,
            `AccessLog ${base}/log/access_log`,
            `ErrorLog ${base}/log/error_log`,
            `PageLog ${base}/log/page_log`,
            'SystemGroup root',
            '',
          ].join('\n'),
        );
        const config = conf(
          'cupsd.conf',
          [
            `Listen ${PREFIX}.28:631`,
            'Browsing Off',
            'WebInterface Yes',
            '<Location />',
            '  Order allow,deny',
            '  Allow all',
            '</Location>',
            '',
          ].join('\n'),
        );
        return [which('cupsd') as string, '-f', '-c', config, '-s', files];
      },
    },
    {
      id: 'h2o',
      address: `${PREFIX}.29`,
      port: 80,
      transport: 'tcp',
      missing: need(which('h2o'), 'h2o'),
      prepare: () => {
        const config = conf(
          'h2o.conf',
          [
            'listen:',
            `  host: ${PREFIX}.29`,
            '  port: 80',
            `error-log: ${dir}/h2o.err`,
            'hosts:',
            '  default:',
            '    paths:',
            '      /:',
            `        file.dir: ${www}`,
            '',
          ].join('\n'),
        );
        return [which('h2o') as string, '-c', config];
      },
    },
    {
      id: 'civetweb',
      address: `${PREFIX}.30`,
      port: 80,
      transport: 'tcp',
      missing: need(which('civetweb'), 'civetweb'),
      prepare: () => [
        which('civetweb') as string,
        '-listening_ports',
        `${PREFIX}.30:80`,
        '-document_root',
        www,
        '-access_log_file',
        path.join(dir, 'civetweb.access'),
      ],
    },
    {
      // Gerbera, a UPnP media server on libupnp. libupnp refuses loopback interfaces, so its
      // address is on one end of a veth pair made inside its own namespace (both ends stay
      // there, and go with it); its SSDP socket is a wildcard on udp/1900.
      id: 'gerbera',
      address: `${PREFIX}.31`,
      port: 1900,
      transport: 'udp',
      listens: '0.0.0.0:1900',
      alone: true,
      missing: need(which('gerbera'), 'gerbera'),
      prepare: () => {
        const home = path.join(dir, 'gerbera');
        mkdirSync(home, { recursive: true });
        const link = [
          'ip link add gb0 type veth peer name gb1',
          `ip addr add ${PREFIX}.31/32 dev gb0`,
          // No IPv6 link-local address: libupnp would bind it before DAD completes, and fail.
          'ip link set gb0 addrgenmode none',
          'ip link set gb1 up',
          'ip link set gb0 up',
        ].join(' && ');
        const gerbera = `${which('gerbera')} --ip ${PREFIX}.31 --port 49152 --home ${home} --cfgdir cfg`;
        return ['sh', '-c', `${link} && exec ${gerbera}`];
      },
    },
    {
      // Sendmail from its unpacked .debs: sendmail.cf built with m4 from sendmail-cf's own
      // macros and Debian's OSTYPE (its greeting), run with -bD (foreground); a host name
      // with a domain (in a UTS namespace of its own) spares its minute-long wait for one.
      // -X records the SMTP session, its only log here (it logs to syslog otherwise).
      id: 'sendmail',
      address: `${PREFIX}.32`,
      port: 25,
      transport: 'tcp',
      missing:
        needUnpacked(sendmail, 'sendmail-bin') ??
        needUnpacked(sendmailCf, 'sendmail-cf') ??
        need(which('m4'), 'm4'),
      prepare: () => {
        const cf = path.join((sendmailCf as Unpacked).root, 'usr/share/sendmail/cf');
        const queue = path.join(dir, 'sendmail-queue');
        mkdirSync(queue, { recursive: true, mode: 0o700 });
        const mc = conf(
          'sendmail.mc',
          [
            'divert(-1)dnl',
            `include(\`${cf}/m4/cf.m4')dnl`,
            // Debian's OSTYPE includes its autoconf results from /usr/share unless defined.
            `include(\`${cf}/debian/autoconf.m4')dnl`,
            "OSTYPE(`debian')dnl",
            "define(`confDOMAIN_NAME', `mail.example.test')dnl",
            `define(\`QUEUE_DIR', \`${queue}')dnl`,
            `define(\`STATUS_FILE', \`${dir}/sendmail.st')dnl`,
            "define(`confHOST_STATUS_DIRECTORY', `')dnl",
            `define(\`confPID_FILE', \`${dir}/sendmail.pid')dnl`,
            `define(\`confCW_FILE', \`-o ${dir}/local-host-names')dnl`,
            `define(\`confCT_FILE', \`-o ${dir}/trusted-users')dnl`,
            `define(\`confCR_FILE', \`-o ${dir}/relay-domains')dnl`,
            "define(`ALIAS_FILE', `')dnl",
            "define(`confDEAD_LETTER_DROP', `')dnl",
            "define(`confDONT_PROBE_INTERFACES', `True')dnl",
            "FEATURE(`no_default_msa')dnl",
            `DAEMON_OPTIONS(\`Family=inet, Name=MTA-v4, Addr=${PREFIX}.32, Port=smtp')dnl`,
            "MAILER(`smtp')dnl",
            '',
          ].join('\n'),
        );
        const config = conf('sendmail.cf', execFileSync('m4', [mc], { encoding: 'utf8' }));
        const bin = path.join((sendmail as Unpacked).root, 'usr/libexec/sendmail/sendmail');
        const run = `exec ${bin} -bD -C ${config} -X ${dir}/sendmail.traffic`;
        return ['unshare', '--uts', 'sh', '-c', `hostname mail.example.test && ${run}`];
      },
    },
    {
      // Courier's ESMTP daemon from its unpacked .debs, under its own couriertcpd (which
      // gives it the client's address), its libraries from the unpacked courier-authlib.
      id: 'courier',
      address: `${PREFIX}.33`,
      port: 25,
      transport: 'tcp',
      missing:
        needUnpacked(courier, 'courier-mta') ??
        needUnpacked(courierBase, 'courier-base') ??
        needUnpacked(courierAuth, 'courier-authlib'),
      prepare: () => {
        const esmtpd = path.join(
          (courier as Unpacked).root,
          'usr/lib/courier/courier/modules/esmtp/courieresmtpd',
        );
        const tcpd = [
          path.join((courierBase as Unpacked).root, 'usr/sbin/couriertcpd'),
          `-address=${PREFIX}.33`,
          '-nodnslookup',
          '-noidentlookup',
          `-stderr=${dir}/courier.err`,
          '25',
          esmtpd,
        ].join(' ');
        const libs = path.join((courierAuth as Unpacked).root, 'usr/lib');
        return [
          'unshare',
          '--uts',
          'sh',
          '-c',
          `hostname mail.example.test && LD_LIBRARY_PATH=${libs} exec ${tcpd}`,
        ];
      },
    },
    {
      // The same web server behind Basic authentication (httpd.conf "/:user:password"), as
      // router UIs run it, with its default realm; -vv logs each request and its answer.
      id: 'busybox-httpd-auth',
      address: `${PREFIX}.34`,
      port: 80,
      transport: 'tcp',
      missing: /^httpd$/m.test(applets)
        ? null
        : 'busybox without the httpd applet (apt-get install busybox-static)',
      prepare: () => {
        const config = conf('busybox-httpd.conf', `/:admin:${randomBytes(8).toString('hex')}\n`);
        return [
          busybox as string,
          'httpd',
          '-f',
          '-vv',
          '-p',
          `${PREFIX}.34:80`,
          '-h',
          www,
          '-c',
          config,
        ];
      },
    },
    {
      // ser2net (serial ports on TCP) behind its telnet accepter, with the banner Debian's
      // own /etc/ser2net.yaml defines. Its "serial port" is /dev/ptmx: each connection opens
      // a fresh pseudo-terminal master, so no serial port of the machine is touched.
      // trace-both records what crossed the port (and when the client came and went).
      id: 'ser2net',
      address: `${PREFIX}.35`,
      port: 2000,
      transport: 'tcp',
      missing: need(which('ser2net'), 'ser2net') ?? (ser2netBanner ? null : ser2netNoBanner),
      prepare: () => {
        const config = conf(
          'ser2net.yaml',
          [
            ser2netBanner as string,
            'connection: &con0',
            `    accepter: telnet,tcp,${PREFIX}.35,2000`,
            '    options:',
            '      banner: *banner',
            `      trace-both: ${dir}/ser2net.trace`,
            '      trace-both-timestamp: true',
            '    connector: serialdev,/dev/ptmx,9600n81,local',
            '',
          ].join('\n'),
        );
        // It refuses the accepter's address ("Unable to find a valid name") unless that
        // address is on an interface (lo's 127.0.0.0/8 is not enough): added to lo here.
        const run = `${which('ser2net')} -n -c ${config} -P ${dir}/ser2net.pid`;
        return ['sh', '-c', `ip addr add ${PREFIX}.35/32 dev lo && exec ${run}`];
      },
    },
    {
      // nginx serving HTTPS with a self-signed certificate made here, whose subject imitates
      // no maker: on 443, and on 8080 where plain HTTP gets nginx's "plain HTTP request was
      // sent to HTTPS port" 400 (as on devices whose web UI moved to TLS on its old port).
      id: 'nginx-https',
      address: `${PREFIX}.36`,
      port: 443,
      transport: 'tcp',
      missing: need(which('nginx'), 'nginx-light') ?? need(which('openssl'), 'openssl'),
      prepare: () => {
        const prefix = path.join(dir, 'nginx-https');
        mkdirSync(prefix, { recursive: true });
        const cert = path.join(dir, 'https.crt');
        const key = path.join(dir, 'https.key');
        if (!existsSync(cert)) selfSignedCertificate(cert, key);
        const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
          .map((t) => `${t}_temp_path ${prefix};`)
          .join(' ');
        const config = conf(
          'nginx-https.conf',
          `pid ${dir}/nginx-https.pid;\nerror_log ${dir}/nginx-https.err;\nworker_processes 1;\n` +
            'events { worker_connections 64; }\n' +
            `http { access_log ${dir}/nginx-https.access; ${temp}\n` +
            `  server { listen ${PREFIX}.36:443 ssl; listen ${PREFIX}.36:8080 ssl;\n` +
            `    ssl_certificate ${cert}; ssl_certificate_key ${key}; root ${www}; } }\n`,
        );
        return [which('nginx') as string, '-g', 'daemon off;', '-p', prefix, '-c', config];
      },
    },
    {
      // lighttpd with mod_openssl and the same certificate, on 443 and 8080: plain HTTP on
      // its TLS port gets no HTTP back (it logs the "http request" and hangs up).
      id: 'lighttpd-https',
      address: `${PREFIX}.38`,
      port: 443,
      transport: 'tcp',
      missing:
        need(which('lighttpd'), 'lighttpd') ??
        (installed('lighttpd-mod-openssl') ? null : need(null, 'lighttpd-mod-openssl')) ??
        need(which('openssl'), 'openssl'),
      prepare: () => {
        const cert = path.join(dir, 'https.crt');
        // Made by nginx-https's prepare, which runs first; made here when it did not run.
        if (!existsSync(cert)) selfSignedCertificate(cert, path.join(dir, 'https.key'));
        const config = lighttpdConf('lighttpd-https', `${PREFIX}.38`, [
          'server.port = 443',
          `$SERVER["socket"] == "${PREFIX}.38:8080" { ssl.engine = "enable" }`,
          'server.modules += ("mod_openssl", "mod_accesslog")',
          'ssl.engine = "enable"',
          `ssl.pemfile = "${cert}"`,
          `ssl.privkey = "${path.join(dir, 'https.key')}"`,
          `accesslog.filename = "${dir}/lighttpd-https.access"`,
        ]);
        return [which('lighttpd') as string, '-D', '-f', config];
      },
    },
    {
      // gmediarender (gmrender-resurrect), the UPnP renderer of Raspberry Pi speakers, on
      // libupnp: on a veth of its own namespace as Gerbera is (libupnp refuses loopback).
      id: 'gmediarender',
      address: `${PREFIX}.37`,
      port: 1900,
      transport: 'udp',
      listens: '0.0.0.0:1900',
      alone: true,
      missing:
        need(which('gmediarender'), 'gmediarender') ??
        (installed('gstreamer1.0-plugins-base')
          ? null
          : 'gstreamer1.0-plugins-base not installed (gmediarender aborts without playbin; .ci/run installs it)'),
      prepare: () => {
        const link = [
          'ip link add gr0 type veth peer name gr1',
          `ip addr add ${PREFIX}.37/32 dev gr0`,
          'ip link set gr0 addrgenmode none',
          'ip link set gr1 up',
          'ip link set gr0 up',
        ].join(' && ');
        const renderer = [
          which('gmediarender'),
          '-I gr0',
          '-p 49152',
          `-u ${GMEDIARENDER_UUID}`,
          "-f 'Real daemon renderer'",
          '--logfile=stdout',
        ].join(' ');
        return ['sh', '-c', `${link} && exec ${renderer}`];
      },
    },
    {
      // VLC streaming a generated tone (8-bit PCM WAV, sent as RTP L8) with an RTSP control
      // URL on 8554, as a media box or a Raspberry Pi "camera" does. VLC refuses to run as
      // root: it runs as nobody.
      id: 'vlc',
      address: `${PREFIX}.39`,
      port: 8554,
      transport: 'tcp',
      missing:
        need(which('cvlc'), 'vlc-bin') ??
        (installed('vlc-plugin-base') ? null : need(null, 'vlc-plugin-base')) ??
        need(which('setpriv'), 'util-linux'),
      prepare: () => {
        const rate = 8000;
        const samples = rate * 2;
        const wav = Buffer.alloc(44 + samples);
        wav.write('RIFF', 0);
        wav.writeUInt32LE(36 + samples, 4);
        wav.write('WAVEfmt ', 8);
        wav.writeUInt32LE(16, 16);
        wav.writeUInt16LE(1, 20); // PCM
        wav.writeUInt16LE(1, 22); // mono
        wav.writeUInt32LE(rate, 24);
        wav.writeUInt32LE(rate, 28);
        wav.writeUInt16LE(1, 32);
        wav.writeUInt16LE(8, 34);
        wav.write('data', 36);
        wav.writeUInt32LE(samples, 40);
        for (let i = 0; i < samples; i++)
          wav[44 + i] = 128 + Math.round(60 * Math.sin((i * 2 * Math.PI * 440) / rate));
        const tone = path.join(dir, 'tone.wav');
        writeFileSync(tone, wav, { mode: 0o644 });
        return [
          ...asNobody,
          which('cvlc') as string,
          '-I',
          'dummy',
          '--no-one-instance',
          tone,
          '--loop',
          '--sout',
          `#rtp{sdp=rtsp://${PREFIX}.39:8554/tone}`,
        ];
      },
    },
    {
      // uStreamer (PiKVM's MJPEG streamer) without a video device: it serves its index,
      // /state and a "no signal" stream all the same.
      id: 'ustreamer',
      address: `${PREFIX}.40`,
      port: 8080,
      transport: 'tcp',
      missing: need(which('ustreamer'), 'ustreamer'),
      prepare: () => [
        which('ustreamer') as string,
        '--host',
        `${PREFIX}.40`,
        '--port',
        '8080',
        '--device',
        path.join(dir, 'no-video-device'),
      ],
    },
    {
      // Motion's web control (8080) and stream (8081) with a camera that is not there. It
      // has no bind address, only "localhost or all": all, alone in a namespace.
      id: 'motion',
      address: `${PREFIX}.41`,
      port: 8080,
      transport: 'tcp',
      listens: '0.0.0.0:8080',
      alone: true,
      missing: need(which('motion'), 'motion'),
      prepare: () => {
        const config = conf(
          'motion.conf',
          [
            'daemon off',
            `target_dir ${dir}/motion`,
            `videodevice ${dir}/no-video-device`,
            'webcontrol_port 8080',
            'webcontrol_localhost off',
            'stream_port 8081',
            'stream_localhost off',
            '',
          ].join('\n'),
        );
        return [which('motion') as string, '-n', '-c', config];
      },
    },
    {
      // MPD with an empty music folder and a null output; "verbose" logs each command a
      // client sends.
      id: 'mpd',
      address: `${PREFIX}.42`,
      port: 6600,
      transport: 'tcp',
      missing: need(which('mpd'), 'mpd'),
      prepare: () => {
        const music = path.join(dir, 'music');
        mkdirSync(music, { recursive: true });
        const config = conf(
          'mpd.conf',
          [
            `music_directory "${music}"`,
            `db_file "${dir}/mpd.db"`,
            `bind_to_address "${PREFIX}.42"`,
            'port "6600"',
            'zeroconf_enabled "no"',
            'log_level "verbose"',
            'audio_output {',
            '  type "null"',
            '  name "null"',
            '}',
            '',
          ].join('\n'),
        );
        return [which('mpd') as string, '--no-daemon', '--stderr', config];
      },
    },
    {
      // Icecast 2 with no mount point (the 404 of an empty server). It refuses root: it
      // runs as nobody, its logs in a folder of its own.
      id: 'icecast2',
      address: `${PREFIX}.43`,
      port: 8000,
      transport: 'tcp',
      missing: need(which('icecast2'), 'icecast2') ?? need(which('setpriv'), 'util-linux'),
      prepare: () => {
        const logs = path.join(dir, 'icecast');
        mkdirSync(logs, { recursive: true });
        chmodSync(logs, 0o777);
        const secret = (): string => randomBytes(8).toString('hex');
        const config = conf(
          'icecast.xml',
          [
            '<icecast>',
            `  <hostname>${PREFIX}.43</hostname>`,
            `  <authentication><source-password>${secret()}</source-password>`,
            `    <admin-user>admin</admin-user><admin-password>${secret()}</admin-password></authentication>`,
            `  <listen-socket><port>8000</port><bind-address>${PREFIX}.43</bind-address></listen-socket>`,
            `  <paths><logdir>${logs}</logdir><webroot>/usr/share/icecast2/web</webroot>`,
            '    <adminroot>/usr/share/icecast2/admin</adminroot></paths>',
            '  <logging><accesslog>access.log</accesslog><errorlog>error.log</errorlog></logging>',
            '</icecast>',
            '',
          ].join('\n'),
        );
        return [...asNobody, which('icecast2') as string, '-c', config];
      },
    },
    {
      // pyftpdlib's own command-line server with its default greeting; -D logs each
      // command a client sends ("<- USER …").
      id: 'pyftpdlib',
      address: `${PREFIX}.44`,
      port: 21,
      transport: 'tcp',
      missing: existsSync(pyftpdlib) ? null : need(null, 'python3-pyftpdlib'),
      prepare: () => [
        '/usr/bin/python3',
        '-m',
        'pyftpdlib',
        '-D',
        '-i',
        `${PREFIX}.44`,
        '-p',
        '21',
        '-d',
        www,
      ],
    },
    {
      // transmission-daemon's RPC and web interface (NAS boxes' BitTorrent client), no
      // peer discovery, its peer port on the namespace's own address.
      id: 'transmission',
      address: `${PREFIX}.46`,
      port: 9091,
      transport: 'tcp',
      missing: need(which('transmission-daemon'), 'transmission-daemon'),
      prepare: () => [
        which('transmission-daemon') as string,
        '-f',
        '-g',
        path.join(dir, 'transmission'),
        '--rpc-bind-address',
        `${PREFIX}.46`,
        '-p',
        '9091',
        '-P',
        '51413',
        '--bind-address-ipv4',
        `${PREFIX}.46`,
        '--no-portmap',
        '--no-dht',
        '--no-lpd',
        '-e',
        path.join(dir, 'transmission.err'),
      ],
    },
    {
      // Caddy serving plain HTTP on 80 and HTTPS on 443 with a certificate from its own
      // internal CA (`local_certs`), made at start; nothing installed in any trust store.
      id: 'caddy',
      address: `${PREFIX}.47`,
      port: 443,
      transport: 'tcp',
      missing: need(which('caddy'), 'caddy'),
      prepare: () => {
        const home = path.join(dir, 'caddy');
        mkdirSync(home, { recursive: true });
        const site = `  root * ${www}\n  file_server\n  log {\n    output file ${dir}/caddy.access\n  }\n`;
        const config = conf(
          'Caddyfile',
          [
            '{',
            '  admin off',
            '  skip_install_trust',
            '  local_certs',
            `  default_bind ${PREFIX}.47`,
            `  storage file_system ${home}`,
            '}',
            `https://${PREFIX}.47 {`,
            site,
            '}',
            `http://${PREFIX}.47 {`,
            site,
            '}',
            '',
          ].join('\n'),
        );
        const env = `HOME=${home} XDG_CONFIG_HOME=${home} XDG_DATA_HOME=${home}`;
        return [
          'sh',
          '-c',
          `${env} exec ${which('caddy')} run --adapter caddyfile --config ${config}`,
        ];
      },
    },
    {
      // shellinaboxd without TLS, -v logging each request. It has no bind address, only
      // "localhost or all": all, alone in a namespace. A session (and login) would start
      // only on a POST.
      id: 'shellinabox',
      address: `${PREFIX}.48`,
      port: 4200,
      transport: 'tcp',
      listens: '0.0.0.0:4200',
      alone: true,
      missing: need(which('shellinaboxd'), 'shellinabox'),
      prepare: () => [
        which('shellinaboxd') as string,
        '--disable-ssl',
        '-p',
        '4200',
        '-u',
        'nobody',
        '-g',
        'nogroup',
        '-v',
      ],
    },
    {
      // Dovecot's submission, IMAP and POP3 services without TLS (so submission offers no
      // AUTH mechanism), relaying nowhere; its log records each client's login attempts.
      id: 'dovecot',
      address: `${PREFIX}.49`,
      port: 587,
      transport: 'tcp',
      missing:
        need(which('dovecot'), 'dovecot-core') ??
        (installed('dovecot-submissiond') ? null : need(null, 'dovecot-submissiond')) ??
        (installed('dovecot-imapd') ? null : need(null, 'dovecot-imapd')) ??
        (installed('dovecot-pop3d') ? null : need(null, 'dovecot-pop3d')),
      prepare: () => {
        const config = conf(
          'dovecot.conf',
          [
            'protocols = submission imap pop3',
            `base_dir = ${dir}/dovecot-run`,
            `state_dir = ${dir}/dovecot-state`,
            `listen = ${PREFIX}.49`,
            'ssl = no',
            'hostname = mail.example.test',
            'submission_relay_host = 127.0.0.1',
            `log_path = ${dir}/dovecot.err`,
            `info_log_path = ${dir}/dovecot.err`,
            `passdb {\n  driver = static\n  args = password=${randomBytes(8).toString('hex')}\n}`,
            'userdb {\n  driver = static\n  args = uid=nobody gid=nogroup home=/nonexistent\n}',
            'service submission-login {\n  inet_listener submission {\n    port = 587\n  }\n}',
            'service imap-login {\n  inet_listener imap {\n    port = 143\n  }\n  inet_listener imaps {\n    port = 0\n  }\n}',
            'service pop3-login {\n  inet_listener pop3 {\n    port = 110\n  }\n  inet_listener pop3s {\n    port = 0\n  }\n}',
            '',
          ].join('\n'),
        );
        return [which('dovecot') as string, '-F', '-c', config];
      },
    },
    {
      // GStreamer's RTSP server library (gst-rtsp-server, as in camera firmware) from a
      // few lines of Python through GObject introspection: a live test tone on /tone, 554.
      id: 'gst-rtsp-server',
      address: `${PREFIX}.50`,
      port: 554,
      transport: 'tcp',
      missing:
        (installed('gir1.2-gst-rtsp-server-1.0')
          ? null
          : need(null, 'gir1.2-gst-rtsp-server-1.0')) ??
        (installed('gstreamer1.0-plugins-good') ? null : need(null, 'gstreamer1.0-plugins-good')) ??
        (installed('python3-gi') ? null : need(null, 'python3-gi')),
      prepare: () => {
        const script = conf(
          'gst-rtsp-server.py',
          [
            'import gi',
            "gi.require_version('Gst', '1.0')",
            "gi.require_version('GstRtspServer', '1.0')",
            'from gi.repository import GLib, Gst, GstRtspServer',
            'Gst.init(None)',
            'server = GstRtspServer.RTSPServer()',
            `server.set_address('${PREFIX}.50')`,
            "server.set_service('554')",
            'factory = GstRtspServer.RTSPMediaFactory()',
            "factory.set_launch('( audiotestsrc is-live=true ! audioconvert ! rtpL16pay name=pay0 pt=96 )')",
            "server.get_mount_points().add_factory('/tone', factory)",
            'server.attach(None)',
            'GLib.MainLoop().run()',
            '',
          ].join('\n'),
        );
        return ['/usr/bin/python3', script];
      },
    },
    {
      // snapserver (Snapcast multi-room audio) with its packaged default page on 1780 and
      // a FIFO source of its own. Its JSON-RPC port (1705) is not scanned: 0.26.0 dies on
      // a line with a byte that is not UTF-8 (a TLS ClientHello has some).
      id: 'snapserver',
      address: `${PREFIX}.52`,
      port: 1780,
      transport: 'tcp',
      missing: need(which('snapserver'), 'snapserver'),
      prepare: () => {
        const data = path.join(dir, 'snapserver');
        mkdirSync(data, { recursive: true });
        const config = conf(
          'snapserver.conf',
          [
            '[server]',
            `datadir = ${data}`,
            '[http]',
            `bind_to_address = ${PREFIX}.52`,
            'doc_root = /usr/share/snapserver',
            '[tcp]',
            `bind_to_address = ${PREFIX}.52`,
            '[stream]',
            `bind_to_address = ${PREFIX}.52`,
            `source = pipe://${data}/fifo?name=default&mode=create`,
            '[logging]',
            'sink = stderr',
            '',
          ].join('\n'),
        );
        return [which('snapserver') as string, '-c', config];
      },
    },
    {
      // VLC's HTTP interface (the remote control of media PCs and Pis) with a password the
      // scanner does not know, as VLC 2.1 and later require one.
      id: 'vlc-http',
      address: `${PREFIX}.53`,
      port: 8080,
      transport: 'tcp',
      missing: need(which('vlc'), 'vlc-bin') ?? need(which('setpriv'), 'util-linux'),
      prepare: () => [
        ...asNobody,
        which('vlc') as string,
        '-I',
        'http',
        '--http-host',
        `${PREFIX}.53`,
        '--http-port',
        '8080',
        '--http-password',
        randomBytes(8).toString('hex'),
        '--no-one-instance',
      ],
    },
    {
      // Tinyproxy (-d: in the foreground), its connections and requests logged.
      id: 'tinyproxy',
      address: `${PREFIX}.54`,
      port: 8888,
      transport: 'tcp',
      missing: need(which('tinyproxy'), 'tinyproxy'),
      prepare: () => {
        const config = conf(
          'tinyproxy.conf',
          [
            'Port 8888',
            `Listen ${PREFIX}.54`,
            'Timeout 10',
            'LogLevel Connect',
            'MaxClients 10',
            'Allow 127.0.0.0/8',
            '',
          ].join('\n'),
        );
        return [which('tinyproxy') as string, '-d', '-c', config];
      },
    },
    {
      // Squid (-N: in the foreground), nothing cached, its logs in a folder its "proxy"
      // user can write; it stops at once on SIGTERM.
      id: 'squid',
      address: `${PREFIX}.55`,
      port: 3128,
      transport: 'tcp',
      missing: need(which('squid'), 'squid'),
      prepare: () => {
        const logs = path.join(dir, 'squid');
        mkdirSync(logs, { recursive: true });
        chmodSync(logs, 0o777);
        const config = conf(
          'squid.conf',
          [
            `http_port ${PREFIX}.55:3128`,
            'http_access allow localhost',
            'http_access deny all',
            `pid_filename ${logs}/squid.pid`,
            `access_log ${logs}/access.log`,
            `cache_log ${logs}/cache.log`,
            'cache_store_log none',
            'cache deny all',
            'pinger_enable off',
            'shutdown_lifetime 0 seconds',
            `coredump_dir ${logs}`,
            'visible_hostname proxy.example.test',
            '',
          ].join('\n'),
        );
        return [which('squid') as string, '-N', '-f', config];
      },
    },
    {
      // rsync in daemon mode with one read-only module; its log names each request.
      id: 'rsyncd',
      address: `${PREFIX}.57`,
      port: 873,
      transport: 'tcp',
      missing: need(which('rsync'), 'rsync'),
      prepare: () => {
        const config = conf(
          'rsyncd.conf',
          [
            `address = ${PREFIX}.57`,
            'port = 873',
            `pid file = ${dir}/rsyncd.pid`,
            `log file = ${dir}/rsyncd.err`,
            'use chroot = no',
            '[share]',
            `  path = ${www}`,
            '  read only = yes',
            '',
          ].join('\n'),
        );
        return [which('rsync') as string, '--daemon', '--no-detach', `--config=${config}`];
      },
    },
    {
      // gpsd without a receiver. It listens on every address (-G) or on localhost only:
      // all, alone in a namespace. It would publish fixes on the system D-Bus: pointed
      // at a socket that does not exist.
      id: 'gpsd',
      address: `${PREFIX}.59`,
      port: 2947,
      transport: 'tcp',
      listens: '0.0.0.0:2947',
      alone: true,
      missing: need(which('gpsd'), 'gpsd'),
      prepare: () => [
        'env',
        `DBUS_SYSTEM_BUS_ADDRESS=unix:path=${dir}/no-bus`,
        which('gpsd') as string,
        '-N',
        '-G',
        '-S',
        '2947',
        '-F',
        `${dir}/gpsd.sock`,
      ],
    },
    {
      // Shairport Sync, AirPlay 1 (RAOP) receiver, its RTSP server on 5000 (every address:
      // alone), audio to its dummy backend. Its Avahi client waits for a daemon on the
      // system D-Bus but dies with no bus at all: a private dbus-daemon in the test's folder
      // stands in for the system bus (no Avahi, so nothing is announced).
      id: 'shairport-sync',
      address: `${PREFIX}.61`,
      port: 5000,
      transport: 'tcp',
      listens: '0.0.0.0:5000',
      alone: true,
      missing:
        need(which('shairport-sync'), 'shairport-sync') ??
        need(which('dbus-daemon'), 'dbus-daemon'),
      prepare: () => {
        const bus = conf(
          'shairport-bus.conf',
          [
            '<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN" "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">',
            '<busconfig>',
            '  <type>system</type>',
            `  <listen>unix:path=${dir}/shairport-bus</listen>`,
            '  <auth>EXTERNAL</auth>',
            '  <policy context="default">',
            '    <allow user="*"/>',
            '    <allow own="*"/>',
            '    <allow send_type="method_call"/>',
            '    <allow send_destination="*"/>',
            '    <allow receive_sender="*"/>',
            '  </policy>',
            '</busconfig>',
            '',
          ].join('\n'),
        );
        const config = conf(
          'shairport-sync.conf',
          [
            'general = {',
            '  name = "Real daemon speaker";',
            '  port = 5000;',
            '};',
            'metadata = {',
            '  enabled = "no";',
            `  pipe_name = "${dir}/shairport-metadata";`,
            '};',
            '',
          ].join('\n'),
        );
        return [
          'env',
          `DBUS_SYSTEM_BUS_ADDRESS=unix:path=${dir}/shairport-bus`,
          'sh',
          '-c',
          `${which('dbus-daemon')} --config-file=${bus} --fork --nopidfile && exec "$0" "$@"`,
          which('shairport-sync') as string,
          '-c',
          config,
          '-o',
          'dummy',
          '-u',
          '-vvv',
        ];
      },
    },
    {
      // Rygel (GUPnP) with its MediaExport plugin sharing one WAV file. GUPnP serves every
      // address of the interfaces it is given: alone, with this test's address added to
      // the namespace's loopback. Its HTTP port is its own pick (not scanned): the SSDP
      // reply's LOCATION leads the probe to it. Its config and cache stay in the folder.
      id: 'rygel',
      address: `${PREFIX}.62`,
      port: 1900,
      transport: 'udp',
      alone: true,
      missing: need(which('rygel'), 'rygel'),
      prepare: () => {
        const media = path.join(dir, 'rygel-media');
        mkdirSync(media, { recursive: true });
        // One second of 8 kHz mono silence: something for MediaExport to serve.
        const wav = Buffer.alloc(44 + 16_000);
        wav.write('RIFF', 0, 'latin1');
        wav.writeUInt32LE(36 + 16_000, 4);
        wav.write('WAVEfmt ', 8, 'latin1');
        wav.writeUInt32LE(16, 16);
        wav.writeUInt16LE(1, 20);
        wav.writeUInt16LE(1, 22);
        wav.writeUInt32LE(8000, 24);
        wav.writeUInt32LE(16_000, 28);
        wav.writeUInt16LE(2, 32);
        wav.writeUInt16LE(16, 34);
        wav.write('data', 36, 'latin1');
        wav.writeUInt32LE(16_000, 40);
        writeFileSync(path.join(media, 'tone.wav'), wav);
        const config = path.join(dir, 'rygel-config');
        mkdirSync(config, { recursive: true });
        writeFileSync(
          path.join(config, 'rygel.conf'),
          [
            '[general]',
            'ipv6=false',
            'enable-transcoding=false',
            'media-engine=librygel-media-engine-simple.so',
            'interface=lo',
            'port=0',
            'allow-upload=false',
            'allow-deletion=false',
            ...['Tracker', 'Tracker3', 'External', 'MPRIS', 'Playbin', 'GstLaunch', 'LMS'].map(
              (p) => `[${p}]\nenabled=false`,
            ),
            '[MediaExport]',
            'enabled=true',
            'title=Real daemon media',
            `uris=${media}`,
            'extract-metadata=false',
            'monitor-changes=false',
            'virtual-folders=false',
            '',
          ].join('\n'),
        );
        return [
          'env',
          `HOME=${dir}`,
          `XDG_CONFIG_HOME=${config}`,
          `XDG_CACHE_HOME=${dir}/rygel-cache`,
          `DBUS_SESSION_BUS_ADDRESS=unix:path=${dir}/no-bus`,
          'sh',
          '-c',
          `ip addr add ${PREFIX}.62/32 dev lo && exec "$0"`,
          which('rygel') as string,
        ];
      },
    },
    {
      // aiohttp's web server as an application with no routes answers (Debian's
      // python3-aiohttp under Debian's own python3): every reply a 404 with its Server line.
      id: 'aiohttp',
      address: `${PREFIX}.63`,
      port: 8080,
      transport: 'tcp',
      missing: existsSync(aiohttp) ? null : need(null, 'python3-aiohttp'),
      prepare: () => {
        const script = conf(
          'aiohttp-app.py',
          [
            'from aiohttp import web',
            `web.run_app(web.Application(), host='${PREFIX}.63', port=8080, print=None)`,
            '',
          ].join('\n'),
        );
        return ['/usr/bin/python3', script];
      },
    },
    {
      // Privoxy in the foreground, its requests logged (debug 512: one line each) to stderr.
      id: 'privoxy',
      address: `${PREFIX}.64`,
      port: 8118,
      transport: 'tcp',
      missing: need(which('privoxy'), 'privoxy'),
      prepare: () => {
        const config = conf(
          'privoxy.conf',
          [
            'confdir /etc/privoxy',
            `listen-address ${PREFIX}.64:8118`,
            'toggle 0',
            'enable-remote-toggle 0',
            'enable-edit-actions 0',
            'debug 512',
            '',
          ].join('\n'),
        );
        return [which('privoxy') as string, '--no-daemon', config];
      },
    },
    {
      // HAProxy in HTTP mode (-db: foreground), a frontend whose backend has no server: it
      // answers every request itself. Its HTTP log goes to stderr.
      id: 'haproxy',
      address: `${PREFIX}.65`,
      port: 80,
      transport: 'tcp',
      missing: need(which('haproxy'), 'haproxy'),
      prepare: () => {
        const config = conf(
          'haproxy.cfg',
          [
            'global',
            '  log stderr format raw local0',
            'defaults',
            '  mode http',
            '  log global',
            '  option httplog',
            '  timeout connect 1s',
            '  timeout client 5s',
            '  timeout server 5s',
            'frontend web',
            `  bind ${PREFIX}.65:80`,
            '  default_backend none',
            'backend none',
            '',
          ].join('\n'),
        );
        return [which('haproxy') as string, '-db', '-f', config];
      },
    },
    {
      // stunnel in front of the aiohttp server above, with the provisional certificate its
      // own openssl.cnf makes ("make cert", shipped by firmware that builds stunnel).
      id: 'stunnel',
      address: `${PREFIX}.66`,
      port: 443,
      transport: 'tcp',
      missing:
        need(which('stunnel4'), 'stunnel4') ??
        (existsSync(STUNNEL_CNF) ? null : `${STUNNEL_CNF} missing (stunnel4's examples)`),
      prepare: () => {
        const pem = path.join(dir, 'stunnel.pem');
        const args = ['req', '-new', '-x509', '-days', '2', '-config', STUNNEL_CNF, '-batch'];
        execFileSync('openssl', [...args, '-out', pem, '-keyout', pem], { stdio: 'ignore' });
        const config = conf(
          'stunnel.conf',
          [
            'foreground = yes',
            'pid =',
            'debug = 5',
            '[https]',
            `accept = ${PREFIX}.66:443`,
            `connect = ${PREFIX}.63:8080`,
            `cert = ${pem}`,
            '',
          ].join('\n'),
        );
        return [which('stunnel4') as string, config];
      },
    },
    {
      // Varnish Cache (-F: foreground, no management port) in front of a backend that is
      // not there (a closed port of its own address): it answers with its 503 page.
      id: 'varnish',
      address: `${PREFIX}.67`,
      port: 6081,
      transport: 'tcp',
      missing: need(which('varnishd'), 'varnish'),
      prepare: () => [
        which('varnishd') as string,
        '-F',
        '-a',
        `${PREFIX}.67:6081`,
        '-b',
        `${PREFIX}.67:9`,
        '-n',
        path.join(dir, 'varnish'),
        '-s',
        'malloc,16m',
        '-T',
        'none',
      ],
    },
    {
      // nginx's mail module (Debian's libnginx-mod-mail, loaded by nginx-light) proxying
      // SMTP; its auth_http service is a closed port: no login could get anywhere.
      id: 'nginx-mail',
      address: `${PREFIX}.68`,
      port: 25,
      transport: 'tcp',
      missing:
        need(which('nginx'), 'nginx-light') ??
        (existsSync(NGINX_MAIL) ? null : need(null, 'libnginx-mod-mail')),
      prepare: () => {
        const prefix = path.join(dir, 'nginx-mail');
        mkdirSync(prefix, { recursive: true });
        const config = conf(
          'nginx-mail.conf',
          [
            `load_module ${NGINX_MAIL};`,
            `pid ${dir}/nginx-mail.pid;`,
            `error_log ${dir}/nginx-mail.err info;`,
            'master_process off;',
            'events { worker_connections 16; }',
            'mail {',
            '  server_name mail.example.test;',
            `  auth_http ${PREFIX}.68:9/auth;`,
            `  server { listen ${PREFIX}.68:25; protocol smtp; smtp_auth login plain; }`,
            '}',
            '',
          ].join('\n'),
        );
        return [
          which('nginx') as string,
          '-e',
          `${dir}/nginx-mail.err`,
          '-g',
          'daemon off;',
          '-p',
          prefix,
          '-c',
          config,
        ];
      },
    },
  ];

  /** Namespaces by group: the shared one, and one per daemon that runs alone. */
  const namespaces = new Map<string, Netns>();
  /** The namespace a daemon runs in. */
  const nsOf = (d: Daemon): Netns | undefined => namespaces.get(d.alone ? d.id : 'shared');
  const children: ChildProcess[] = [];
  const started = new Map<string, ChildProcess>();
  /** Why a daemon that should have run did not (its log), by id. */
  const failed = new Map<string, string>();
  const records = new Map<string, HostRecord>();
  let scanError = '';

  before(async () => {
    mkdirSync(www, { recursive: true });
    writeFileSync(
      path.join(www, 'index.html'),
      '<html><head><title>Real daemon test page</title></head><body>ok</body></html>\n',
    );
    writeFileSync(path.join(www, 'favicon.ico'), favicon);
    chmodSync(dir, 0o755);
    const ready = daemons.filter((d) => d.missing === null);
    for (const d of ready) {
      const group = d.alone ? d.id : 'shared';
      if (!namespaces.has(group)) namespaces.set(group, createNetns('daemons'));
    }
    for (const d of ready) {
      const log = openSync(path.join(dir, `${d.id}.log`), 'w');
      const command = d.prepare();
      const child = spawn('ip', ['netns', 'exec', (nsOf(d) as Netns).name, ...command], {
        stdio: ['ignore', log, log],
      });
      closeSync(log);
      child.on('error', () => {});
      children.push(child);
      started.set(d.id, child);
    }
    // Wait for every socket to be bound (each daemon's own "listening", read from ss).
    const socketOf = (d: Daemon): RegExp =>
      new RegExp(
        `^${d.transport}\\s.*\\s${(d.listens ?? `${d.address}:${d.port}`).replaceAll('.', '\\.')}\\s`,
        'm',
      );
    const listening = (): Map<Netns, string> =>
      new Map([...namespaces.values()].map((ns) => [ns, ns.run('ss', ['-Hlntu']).stdout]));
    const want = new Set(ready);
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      const ss = listening();
      for (const d of [...want]) {
        // A daemon that exited will not bind: stop waiting for it.
        const child = started.get(d.id);
        if (child && (child.exitCode !== null || child.signalCode !== null)) want.delete(d);
        else if (socketOf(d).test(ss.get(nsOf(d) as Netns) ?? '')) want.delete(d);
      }
      if (want.size === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const ss = listening();
    for (const d of ready) {
      if (!socketOf(d).test(ss.get(nsOf(d) as Netns) ?? ''))
        failed.set(
          d.id,
          [`${d.id}.log`, `${d.id}.err`]
            .map((f) => path.join(dir, f))
            .filter((f) => existsSync(f))
            .map((f) => readFileSync(f, 'utf8').slice(0, 2000))
            .join('\n'),
        );
    }
    // One scan per namespace, at the same time: each sees only its own daemons.
    const errors = await Promise.all(
      [...namespaces].map(async ([group, ns]) => {
        const targets = ready
          .filter((d) => !failed.has(d.id) && nsOf(d) === ns)
          .map((d) => d.address);
        if (targets.length === 0) return '';
        const out = path.join(dir, `out-${group}.ndjson`);
        const args = ['scan', '--ports', SCAN_PORTS, '-o', out, '--quiet', ...targets];
        const child = spawn('ip', ['netns', 'exec', ns.name, process.execPath, CLI, ...args], {
          stdio: ['ignore', 'ignore', 'pipe'],
        });
        let stderr = '';
        child.stderr?.on('data', (chunk: Buffer) => {
          if (stderr.length < 2000) stderr += chunk.toString('utf8');
        });
        const [code] = (await once(child, 'exit')) as [number | null];
        if (code !== 0) return `scan in ${group} exited ${code}: ${stderr.slice(0, 2000)}`;
        for (const line of readFileSync(out, 'utf8').split('\n').filter(Boolean)) {
          const r = JSON.parse(line) as HostRecord;
          records.set(r.ip, r);
        }
        return '';
      }),
    );
    scanError = errors.filter(Boolean).join('\n');
  });

  after(async () => {
    for (const child of children) {
      if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await Promise.race([once(child, 'exit'), new Promise((r) => setTimeout(r, 2000))]);
      }
    }
    // Whatever the daemons forked (nginx workers, a login waiting at its prompt).
    for (const ns of namespaces.values()) {
      const pids = spawnSync('ip', ['netns', 'pids', ns.name], { encoding: 'utf8' }).stdout;
      for (const pid of pids.split('\n').filter((p) => /^[0-9]+$/.test(p))) {
        try {
          process.kill(Number(pid), 'SIGKILL');
        } catch {
          // Already gone.
        }
      }
      ns.close();
    }
    rmSync(dir, { recursive: true, force: true });
  });

  /** The service of a daemon in the scan's record, or null when the subtest was skipped. */
  function serviceOf(t: TestContext, id: string): { host: HostRecord; svc: ServiceRecord } | null {
    const d = daemons.find((x) => x.id === id) as Daemon;
    if (d.missing) {
      t.skip(d.missing);
      return null;
    }
    assert.equal(failed.get(id), undefined, `${id} did not start: ${failed.get(id)}`);
    assert.equal(scanError, '');
    const host = records.get(d.address);
    assert.ok(host, `no record for ${d.address}`);
    const svc = host.services.find((s) => s.port === d.port && s.transport === d.transport);
    assert.ok(svc, `${id}: no ${d.transport}/${d.port} service in ${JSON.stringify(host)}`);
    assert.equal(svc.status, 'ok', JSON.stringify(svc));
    return { host, svc };
  }

  it('OpenSSH: Debian build, version, key exchange and host key; a computer', (t) => {
    const r = serviceOf(t, 'openssh');
    if (!r) return;
    const { host, svc } = r;
    assert.equal(svc.protocol, 'ssh');
    assert.equal(svc.product, 'OpenSSH');
    assert.equal(svc.version, upstreamVersion(sshd as string));
    assert.equal(svc.fields['ssh.comment'], `Debian-${debianRevision(sshd as string)}`);
    assert.match(svc.fields['ssh.hassh'] ?? '', /^[0-9a-f]{32}$/);
    assert.match(svc.fields['ssh.kex'] ?? '', /(?:^|,)curve25519-sha256(?:,|$)/);
    assert.equal(svc.fields['ssh.hostkey_type'], 'ssh-ed25519');
    const pub = readFileSync(path.join(dir, 'ssh_host_ed25519_key.pub'), 'utf8');
    assert.equal(svc.fields['ssh.hostkey_sha256'], keyFingerprint(pub));
    assert.equal(host.iot, false);
    assert.equal(host.device?.class, 'computer');
    assert.equal(host.device?.os.name, 'Debian');
    // No authentication was attempted: sshd logs none.
    const log = readFileSync(path.join(dir, 'openssh.log'), 'utf8');
    assert.doesNotMatch(log, /Failed|Invalid user|Accepted|authentication/i);
  });

  it('Dropbear: version, key exchange and host key; embedded', (t) => {
    const r = serviceOf(t, 'dropbear');
    if (!r) return;
    const { host, svc } = r;
    assert.equal(svc.protocol, 'ssh');
    assert.equal(svc.product, 'Dropbear');
    assert.equal(svc.version, upstreamVersion(dropbear as string));
    assert.match(svc.fields['ssh.hassh'] ?? '', /^[0-9a-f]{32}$/);
    assert.match(svc.fields['ssh.kex'] ?? '', /(?:^|,)kexguess2@matt\.ucc\.asn\.au(?:,|$)/);
    assert.equal(svc.fields['ssh.hostkey_type'], 'ssh-ed25519');
    const pub = execFileSync('dropbearkey', ['-y', '-f', path.join(dir, 'dropbear_ed25519')], {
      encoding: 'utf8',
    });
    const line = pub.split('\n').find((l) => l.startsWith('ssh-ed25519 ')) ?? '';
    assert.equal(svc.fields['ssh.hostkey_sha256'], keyFingerprint(line));
    assert.equal(host.iot, true);
    assert.equal(host.device?.class, 'unknown-embedded');
  });

  it('BusyBox telnetd as on firmware: its option sequence names BusyBox; embedded', (t) => {
    const r = serviceOf(t, 'busybox-telnetd');
    if (!r) return;
    const { host, svc } = r;
    assert.equal(svc.protocol, 'telnet');
    // BusyBox telnetd's fixed opening (telnetd.c, iacs_to_send): DO ECHO, DO NAWS, WILL ECHO, WILL SGA.
    assert.equal(svc.fields['telnet.options'], 'DO 1,DO 31,WILL 1,WILL 3');
    assert.match(svc.fields['telnet.prompt'] ?? '', /login:$/);
    assert.equal(svc.product, 'BusyBox');
    assert.equal(host.iot, true);
    assert.equal(host.device?.class, 'unknown-embedded');
  });

  it('BusyBox telnetd on this Debian host: BusyBox on the port, Debian from the issue', (t) => {
    const r = serviceOf(t, 'busybox-telnetd-debian-issue');
    if (!r) return;
    const { host, svc } = r;
    assert.equal(svc.protocol, 'telnet');
    // /etc/issue is printed by login, not by the telnet daemon: it names the OS only.
    assert.equal(svc.product, 'BusyBox');
    assert.equal(host.device?.os.name, 'Debian');
    assert.equal(host.device?.os.version, debianIssue?.groups?.['v']);
  });

  for (const [id, product, bin] of [
    ['lighttpd', 'lighttpd', 'lighttpd'],
    ['nginx', 'nginx', 'nginx'],
    ['mini-httpd', 'mini_httpd', 'mini_httpd'],
  ] as const) {
    it(`${id}: Server header, version, title and favicon hashes`, (t) => {
      const r = serviceOf(t, id);
      if (!r) return;
      const { host, svc } = r;
      const version = upstreamVersion(which(bin) as string);
      assert.equal(svc.protocol, 'http');
      assert.equal(svc.product, product);
      assert.equal(svc.version, version);
      assert.match(
        svc.fields['http.server'] ?? '',
        new RegExp(`^${bin}/${version.replaceAll('.', '\\.')}\\b`),
      );
      assert.equal(svc.fields['http.title'], 'Real daemon test page');
      assert.equal(svc.fields['http.favicon_md5'], createHash('md5').update(favicon).digest('hex'));
      assert.equal(svc.fields['http.favicon_mmh3'], String(faviconMmh3(favicon)));
      // A web server alone names no maker.
      assert.equal(host.device?.vendor_id ?? null, null);
    });
  }

  it('Apache (Debian build): Server header, version, favicon; a Debian computer', (t) => {
    const r = serviceOf(t, 'apache2');
    if (!r) return;
    const { host, svc } = r;
    const version = upstreamVersion(which('apache2') as string);
    assert.equal(svc.protocol, 'http');
    assert.equal(svc.fields['http.server'], `Apache/${version} (Debian)`);
    assert.equal(svc.product, 'Apache httpd');
    assert.equal(svc.version, version);
    assert.equal(svc.fields['http.title'], 'Real daemon test page');
    assert.equal(svc.fields['http.favicon_md5'], createHash('md5').update(favicon).digest('hex'));
    assert.equal(host.iot, false);
    assert.equal(host.device?.class, 'computer');
    assert.equal(host.device?.os.name, 'Debian');
  });

  it('vsftpd: greeting, version', (t) => {
    const r = serviceOf(t, 'vsftpd');
    if (!r) return;
    const { svc } = r;
    assert.equal(svc.protocol, 'ftp');
    assert.match(svc.fields['ftp.greeting'] ?? '', /^\(vsFTPd /);
    assert.equal(svc.product, 'vsftpd');
    assert.equal(svc.version, upstreamVersion(which('vsftpd') as string));
  });

  it('vsftpd refusing to run: its "500 OOPS" greeting still names vsftpd', (t) => {
    const r = serviceOf(t, 'vsftpd-oops');
    if (!r) return;
    const { svc } = r;
    assert.equal(svc.protocol, 'ftp');
    assert.match(svc.fields['ftp.greeting'] ?? '', /^OOPS: /);
    assert.equal(svc.product, 'vsftpd');
    assert.equal(svc.version, null);
  });

  it('Exim: greeting, EHLO, version; a computer; no mail transaction', (t) => {
    const r = serviceOf(t, 'exim');
    if (!r) return;
    const { host, svc } = r;
    assert.equal(svc.protocol, 'smtp');
    assert.equal(svc.product, 'Exim');
    assert.equal(svc.version, upstreamVersion(exim as string));
    assert.match(svc.fields['smtp.ehlo'] ?? '', /\bPIPELINING\b/);
    assert.equal(host.device?.class, 'computer');
    const log = path.join(dir, 'exim', 'main.log');
    const text = existsSync(log) ? readFileSync(log, 'utf8') : '';
    assert.doesNotMatch(text, /MAIL FROM|RCPT|<=/);
  });

  it('Net-SNMP snmpd: sysDescr and sysObjectID over the public community; Linux', (t) => {
    const r = serviceOf(t, 'snmpd');
    if (!r) return;
    const { host, svc } = r;
    assert.equal(svc.protocol, 'snmp');
    assert.equal(svc.product, 'Net-SNMP');
    // Net-SNMP's default sysDescr is uname -snrvm; NET-SNMP-TC::linux is its sysObjectID.
    const uname = execFileSync('uname', ['-srm'], { encoding: 'utf8' }).trim().split(' ');
    assert.match(svc.fields['snmp.sysDescr'] ?? '', /^Linux /);
    assert.ok(svc.fields['snmp.sysDescr']?.includes(` ${uname[1]} `), svc.fields['snmp.sysDescr']);
    assert.ok(svc.fields['snmp.sysDescr']?.endsWith(` ${uname[2]}`), svc.fields['snmp.sysDescr']);
    assert.equal(svc.fields['snmp.sysObjectID'], '1.3.6.1.4.1.8072.3.2.10');
    // The machine word leans the host one way (net-snmp/uname-*); 64-bit ARM leans neither.
    const arch = uname[2] ?? '';
    if (/^(?:x86_64|i[3-6]86)$/.test(arch)) assert.equal(host.device?.class, 'computer');
    else if (/^(?:mips|armv[4-7])/.test(arch)) assert.equal(host.device?.class, 'unknown-embedded');
    else {
      assert.equal(host.device, null);
      return;
    }
    assert.equal(host.device?.os.family, 'linux');
    assert.equal(host.device?.os.version, uname[1]);
  });

  it('MiniDLNA: Server header and status page name it; no answer to unicast SSDP', (t) => {
    const r = serviceOf(t, 'minidlna');
    if (!r) return;
    const { host, svc } = r;
    const version = upstreamVersion(which('minidlnad') as string);
    assert.equal(svc.protocol, 'http');
    assert.match(svc.fields['http.server'] ?? '', new RegExp(` MiniDLNA/${version}$`));
    assert.equal(svc.fields['http.title'], `MiniDLNA ${version}`);
    assert.equal(svc.product, 'MiniDLNA');
    assert.equal(svc.version, version);
    // Debian's build says "Debian" where firmware puts its OS: a Debian computer.
    assert.equal(host.device?.class, 'computer');
    assert.equal(host.device?.os.name, 'Debian');
    // Its SSDP socket is bound to the group address: our unicast M-SEARCH was not delivered,
    // and the port is left out of the record as silent UDP ports are.
    const ns = nsOf(daemons.find((d) => d.id === 'minidlna') as Daemon);
    assert.match(ns?.run('ss', ['-Hlnu']).stdout ?? '', /\s239\.255\.255\.250:1900\s/);
    assert.equal(
      host.services.find((s) => s.transport === 'udp' && s.port === 1900),
      undefined,
    );
  });

  it('MiniUPnPd: SSDP SERVER and USN, description fetched from the same host; a router', (t) => {
    const r = serviceOf(t, 'miniupnpd');
    if (!r) return;
    const { host, svc } = r;
    const version = upstreamVersion(which('miniupnpd') as string);
    assert.equal(svc.protocol, 'ssdp');
    // "<OS>/<kernel release> UPnP/1.1 MiniUPnPd/<version>", the OS part from uname at run time.
    const release = execFileSync('uname', ['-r'], { encoding: 'utf8' }).trim();
    assert.equal(svc.fields['ssdp.server'], `Debian/${release} UPnP/1.1 MiniUPnPd/${version}`);
    assert.equal(svc.fields['ssdp.usn'], `uuid:${MINIUPNPD_UUID}::upnp:rootdevice`);
    assert.equal(svc.fields['ssdp.location'], `http://${PREFIX}.14:5000/rootDesc.xml`);
    // The root device's elements, not its embedded WANDevice's (ssdp: minified XML).
    assert.equal(
      svc.fields['upnp.device_type'],
      'urn:schemas-upnp-org:device:InternetGatewayDevice:2',
    );
    assert.equal(svc.fields['upnp.manufacturer'], 'Debian');
    assert.equal(svc.fields['upnp.model_name'], 'Debian router');
    assert.equal(svc.product, 'MiniUPnPd');
    assert.equal(svc.version, version);
    const web = host.services.find((s) => s.transport === 'tcp' && s.port === 5000);
    assert.equal(web?.product, 'MiniUPnPd');
    assert.equal(host.iot, true);
    assert.equal(host.device?.class, 'router');
    assert.equal(host.device?.nat_gateway_suspected, true);
  });

  it('inetutils telnetd (from inetd): its own opening and host line; not BusyBox', (t) => {
    const r = serviceOf(t, 'inetutils-telnetd');
    if (!r) return;
    const { host, svc } = r;
    assert.equal(svc.protocol, 'telnet');
    // WILL AUTHENTICATION, WILL ENCRYPT, then DO TTYPE, TSPEED, XDISPLOC, NEW-ENVIRON, OLD-ENVIRON.
    assert.match(
      svc.fields['telnet.options'] ?? '',
      /^WILL 37,WILL 38,DO 24,DO 32,DO 35,DO 39,DO 36\b/,
    );
    const release = execFileSync('uname', ['-r'], { encoding: 'utf8' }).trim();
    assert.ok(
      svc.fields['telnet.banner']?.includes(`Linux ${release} (`),
      svc.fields['telnet.banner'],
    );
    assert.match(svc.fields['telnet.prompt'] ?? '', /login:$/);
    assert.equal(svc.product, 'inetutils telnetd');
    assert.equal(svc.version, null);
    // The telnetd of GNU/Linux distributions: a computer, its kernel from the host line.
    assert.equal(host.device?.class, 'computer');
    assert.equal(host.device?.os.family, 'linux');
    assert.equal(host.device?.os.version, release);
  });

  it('micro_httpd (from inetd): Server header, title; embedded', (t) => {
    const r = serviceOf(t, 'micro-httpd');
    if (!r) return;
    const { host, svc } = r;
    assert.equal(svc.protocol, 'http');
    assert.equal(svc.fields['http.server'], 'micro_httpd');
    assert.equal(svc.fields['http.title'], 'Real daemon test page');
    assert.equal(svc.product, 'micro_httpd');
    assert.equal(svc.version, null);
    assert.equal(host.device?.class, 'unknown-embedded');
  });

  it('TinySSH (from inetd): ident, version, key exchange and host key', (t) => {
    const r = serviceOf(t, 'tinysshd');
    if (!r) return;
    const { svc } = r;
    assert.equal(svc.protocol, 'ssh');
    assert.equal(svc.product, 'TinySSH');
    assert.equal(svc.version, upstreamVersion(which('tinysshd') as string));
    assert.match(svc.fields['ssh.kex'] ?? '', /(?:^|,)curve25519-sha256(?:,|$)/);
    assert.equal(svc.fields['ssh.hostkey_type'], 'ssh-ed25519');
    const pub = execFileSync('tinysshd-printkey', [path.join(dir, 'tinyssh')], {
      encoding: 'utf8',
    });
    assert.equal(svc.fields['ssh.hostkey_sha256'], keyFingerprint(pub));
  });

  it('BusyBox httpd: no Server header; its error page names it; embedded', (t) => {
    const r = serviceOf(t, 'busybox-httpd');
    if (!r) return;
    const { host, svc } = r;
    assert.equal(svc.protocol, 'http');
    assert.equal(svc.fields['http.server'], undefined);
    assert.equal(svc.fields['http.title'], 'Real daemon test page');
    // The site has no icon: /favicon.ico got BusyBox's own 404 page.
    assert.equal(svc.fields['http.error.status'], '404 Not Found');
    assert.match(svc.fields['http.error.body'] ?? '', /^<HTML><HEAD><TITLE>404 Not Found</);
    assert.equal(svc.product, 'BusyBox httpd');
    assert.equal(svc.vendor, 'BusyBox');
    assert.equal(svc.version, null);
    assert.equal(host.iot, true);
    assert.equal(host.device?.class, 'unknown-embedded');
    assert.equal(host.device?.vendor_id ?? null, null);
  });

  it('Postfix (unpacked .deb, Debian banner): greeting, EHLO; a Debian computer; no mail', (t) => {
    const r = serviceOf(t, 'postfix');
    if (!r) return;
    const { host, svc } = r;
    assert.equal(svc.protocol, 'smtp');
    assert.equal(svc.fields['smtp.greeting'], 'mail.example.test ESMTP Postfix (Debian/GNU)');
    assert.match(svc.fields['smtp.ehlo'] ?? '', /^mail\.example\.test\n(?:.*\n)*PIPELINING\n/);
    assert.equal(svc.product, 'Postfix');
    // Postfix prints no version unless told to (mail_version in smtpd_banner).
    assert.equal(svc.version, null);
    assert.equal(host.iot, false);
    assert.equal(host.device?.class, 'computer');
    assert.equal(host.device?.os.name, 'Debian');
    // Its own count of the session's commands: EHLO and QUIT at most, no MAIL/RCPT/AUTH.
    const log = readFileSync(path.join(dir, 'postfix.log'), 'utf8');
    assert.match(log, /postfix\/master\[[0-9]+\]: daemon started -- version /);
    assert.ok(log.includes(`version ${upstreamOf((postfix as Unpacked).version)},`), log);
    assert.match(log, /disconnect from /);
    assert.doesNotMatch(log, /\b(?:mail|rcpt|auth|data)=[0-9]/);
  });

  it('OpenSMTPD (unpacked .deb): greeting, EHLO; a computer; no mail', (t) => {
    const r = serviceOf(t, 'opensmtpd');
    if (!r) return;
    const { host, svc } = r;
    assert.equal(svc.protocol, 'smtp');
    assert.equal(svc.fields['smtp.greeting'], 'mail.example.test ESMTP OpenSMTPD');
    assert.match(svc.fields['smtp.ehlo'] ?? '', /^mail\.example\.test Hello /);
    assert.equal(svc.product, 'OpenSMTPD');
    assert.equal(svc.version, null);
    assert.equal(host.iot, false);
    assert.equal(host.device?.class, 'computer');
    const log = readFileSync(path.join(dir, 'opensmtpd.log'), 'utf8');
    const version = upstreamOf((opensmtpd as Unpacked).version);
    assert.ok(log.includes(`OpenSMTPD ${version} starting`), log);
    assert.match(log, /smtp disconnected reason=quit/);
    assert.doesNotMatch(log, /failed-command|from=<|rcpt=|authentication/i);
  });

  it('ProFTPD (unpacked .deb): greeting names it and Debian; no login', (t) => {
    const r = serviceOf(t, 'proftpd');
    if (!r) return;
    const { host, svc } = r;
    assert.equal(svc.protocol, 'ftp');
    // ServerIdent's default shows no version since 1.3.2: "ProFTPD Server (<ServerName>) [<address>]".
    assert.equal(svc.fields['ftp.greeting'], `ProFTPD Server (Debian) [${PREFIX}.22]`);
    assert.equal(svc.product, 'ProFTPD');
    assert.equal(svc.version, null);
    // Debian's stock ServerName "Debian": a Debian machine, at modest confidence
    // (proftpd/proftpd-distro); ProFTPD alone names no device and no maker.
    assert.equal(host.device?.class, 'computer');
    assert.equal(host.device?.os.name, 'Debian');
    assert.equal(host.device?.vendor_id, null);
    assert.ok((host.device?.confidence ?? 1) < 0.7, 'an FTP greeting alone is a modest label');
    assert.equal(host.iot, false);
    const log = readFileSync(path.join(dir, 'proftpd.log'), 'utf8');
    const version = upstreamOf((proftpd as Unpacked).version);
    assert.ok(log.includes(`ProFTPD ${version} (stable)`), log);
    assert.match(log, /FTP session closed/);
    assert.doesNotMatch(log, /USER|PASS|Login|authentic/i);
  });

  it('Pure-FTPd (unpacked .deb): its welcome banner names it', (t) => {
    const r = serviceOf(t, 'pure-ftpd');
    if (!r) return;
    const { host, svc } = r;
    assert.equal(svc.protocol, 'ftp');
    assert.match(svc.fields['ftp.greeting'] ?? '', /^-{9} Welcome to Pure-FTPd \[privsep\]/);
    assert.equal(svc.product, 'Pure-FTPd');
    // It prints no version; it logs to syslog only (none in the namespace).
    assert.equal(svc.version, null);
    assert.equal(host.device, null);
  });

  for (const [id, product, pkg] of [
    ['inetutils-ftpd', 'inetutils ftpd', () => inetutilsFtpd],
    ['netkit-ftpd', 'NetKit ftpd', () => netkitFtpd],
  ] as const) {
    it(`${product} (unpacked .deb, from inetd): greeting, version; no login`, (t) => {
      const r = serviceOf(t, id);
      if (!r) return;
      const { host, svc } = r;
      assert.equal(svc.protocol, 'ftp');
      assert.match(svc.fields['ftp.greeting'] ?? '', / FTP server \(.+\) ready\.$/);
      assert.equal(svc.product, product);
      assert.equal(svc.version, upstreamOf((pkg() as Unpacked).version));
      assert.equal(host.device?.vendor_id ?? null, null);
      // inetd -d logs each connection; the ftpd itself logs to syslog (none here).
      const log = readFileSync(path.join(dir, `${id}.log`), 'utf8');
      assert.match(log, /execv /);
    });
  }

  it('NetKit telnetd (unpacked telnetd-ssl, from inetd): its own opening; a computer', (t) => {
    const r = serviceOf(t, 'netkit-telnetd');
    if (!r) return;
    const { host, svc } = r;
    assert.equal(svc.protocol, 'telnet');
    // DO NEW-ENVIRON alone, then DO AUTHENTICATION, TTYPE, TSPEED, XDISPLOC.
    assert.match(svc.fields['telnet.options'] ?? '', /^DO 39,DO 37,DO 24,DO 32,DO 35\b/);
    assert.match(svc.fields['telnet.prompt'] ?? '', /login:$/);
    assert.equal(svc.product, 'NetKit telnetd');
    assert.equal(svc.version, null);
    assert.equal(host.iot, false);
    assert.equal(host.device?.class, 'computer');
    assert.equal(host.device?.os.family, 'linux');
  });

  it('Twisted Web: Server header, version, title; no set-top box', (t) => {
    const r = serviceOf(t, 'twisted-web');
    if (!r) return;
    const { host, svc } = r;
    const version = upstreamVersion(twisted);
    assert.equal(svc.protocol, 'http');
    assert.equal(svc.fields['http.server'], `TwistedWeb/${version}`);
    assert.equal(svc.fields['http.title'], 'Real daemon test page');
    assert.equal(svc.fields['http.favicon_md5'], createHash('md5').update(favicon).digest('hex'));
    assert.equal(svc.product, 'TwistedWeb');
    assert.equal(svc.version, version);
    // The set-top-box signatures read TwistedWeb only beside OpenWebif's own pages.
    assert.equal(host.device, null);
    assert.deepEqual(
      svc.matches.map((m) => m.signature),
      ['twisted/twistedweb'],
    );
  });

  it('CUPS cupsd: Server header and page title name it and its version; no login', (t) => {
    const r = serviceOf(t, 'cupsd');
    if (!r) return;
    const { host, svc } = r;
    const version = upstreamVersion(which('cupsd') as string);
    assert.equal(svc.protocol, 'http');
    assert.match(svc.fields['http.server'] ?? '', /^CUPS\/[0-9]+\.[0-9]+ IPP\/2\.[01]$/);
    // cupsd answers a loopback client only for Host "localhost": here its 400 page, titled
    // like all its pages. A remote scan gets its home page ("Home - CUPS <version>").
    assert.equal(svc.fields['http.title'], `Bad Request - CUPS v${version}`);
    assert.equal(svc.product, 'CUPS');
    assert.equal(svc.version, version);
    assert.equal(host.device, null);
    // Requests refused that early are not in access_log; error_log says why, and no more.
    const log = readFileSync(path.join(dir, 'cups', 'log', 'error_log'), 'utf8');
    assert.ok(log.includes(`invalid Host: field "${PREFIX}.28:631"`), log);
    assert.doesNotMatch(log, /auth|password|POST|PUT/i);
  });

  it('H2O: Server header, version, title and favicon', (t) => {
    const r = serviceOf(t, 'h2o');
    if (!r) return;
    const { host, svc } = r;
    const version = upstreamVersion(which('h2o') as string);
    assert.equal(svc.protocol, 'http');
    assert.equal(svc.fields['http.server'], `h2o/${version}`);
    assert.equal(svc.fields['http.title'], 'Real daemon test page');
    assert.equal(svc.fields['http.favicon_md5'], createHash('md5').update(favicon).digest('hex'));
    assert.equal(svc.product, 'H2O');
    assert.equal(svc.version, version);
    assert.equal(host.device, null);
  });

  it('CivetWeb: no Server header; its ETag and cache header name it', (t) => {
    const r = serviceOf(t, 'civetweb');
    if (!r) return;
    const { host, svc } = r;
    assert.equal(svc.protocol, 'http');
    assert.equal(svc.fields['http.server'], undefined);
    assert.equal(svc.fields['http.title'], 'Real daemon test page');
    assert.equal(svc.fields['http.favicon_md5'], createHash('md5').update(favicon).digest('hex'));
    // Mongoose's ETag: modification time in hex, a dot, the size in decimal.
    const size = readFileSync(path.join(www, 'index.html')).length;
    assert.match(svc.fields['http.headers'] ?? '', new RegExp(`\\netag: "[0-9a-f]+\\.${size}"`));
    assert.equal(svc.product, 'CivetWeb');
    assert.equal(svc.version, null);
    assert.equal(host.device?.class, 'unknown-embedded');
    assert.equal(host.device?.vendor_id ?? null, null);
    // Its access log: the page and the icon, nothing posted, no credentials.
    const log = readFileSync(path.join(dir, 'civetweb.access'), 'utf8');
    assert.match(log, /"GET \/favicon\.ico HTTP\/1\.1" 200 /);
    assert.doesNotMatch(log, /"(?:POST|PUT) /);
  });

  it('Gerbera (libupnp): SSDP reply from a fresh socket, description, web UI', (t) => {
    const r = serviceOf(t, 'gerbera');
    if (!r) return;
    const { host, svc } = r;
    // The libupnp it runs on (its own package: libupnp13 on Debian 12), as dpkg knows it.
    const lib = execFileSync('ldd', [which('gerbera') as string], { encoding: 'utf8' }).match(
      /libupnp\.so\.[0-9]+ => (\S+)/,
    )?.[1];
    assert.ok(lib, 'gerbera links libupnp');
    const libupnp = upstreamVersion(realpathSync(lib));
    const release = execFileSync('uname', ['-r'], { encoding: 'utf8' }).trim();
    const server = `Linux/${release}, UPnP/1.0, Portable SDK for UPnP devices/${libupnp}`;
    assert.equal(svc.protocol, 'ssdp');
    assert.equal(svc.fields['ssdp.server'], server);
    assert.equal(svc.fields['ssdp.location'], `http://${PREFIX}.31:49152/description.xml`);
    assert.equal(svc.fields['upnp.device_type'], 'urn:schemas-upnp-org:device:MediaServer:1');
    assert.equal(svc.fields['upnp.manufacturer'], 'Gerbera Contributors');
    assert.equal(svc.fields['upnp.model_number'], upstreamVersion(which('gerbera') as string));
    assert.equal(svc.product, 'Gerbera');
    const web = host.services.find((s) => s.transport === 'tcp' && s.port === 49152);
    assert.equal(web?.fields['http.server'], server);
    assert.equal(web?.fields['http.title'], 'Gerbera');
    assert.equal(web?.product, 'Gerbera');
    // A media server on a Linux box: software named, no maker, no IoT class.
    assertNoThing(host);
  });

  it('Sendmail (unpacked .debs, Debian greeting): version; a computer; no mail, no AUTH', (t) => {
    const r = serviceOf(t, 'sendmail');
    if (!r) return;
    const { host, svc } = r;
    const full = (sendmail as Unpacked).version;
    const version = upstreamOf(full);
    const revision = full.slice(full.lastIndexOf('-') + 1);
    assert.equal(svc.protocol, 'smtp');
    assert.ok(
      svc.fields['smtp.greeting']?.startsWith(
        `mail.example.test ESMTP Sendmail ${version}/${version}/Debian-${revision}; `,
      ),
      svc.fields['smtp.greeting'],
    );
    assert.match(svc.fields['smtp.ehlo'] ?? '', /^mail\.example\.test Hello /);
    assert.equal(svc.product, 'Sendmail');
    assert.equal(svc.version, version);
    assert.equal(host.iot, false);
    assert.equal(host.device?.class, 'computer');
    // Its own transcript of the session: EHLO (and QUIT), nothing else asked.
    const traffic = readFileSync(path.join(dir, 'sendmail.traffic'), 'utf8');
    assert.match(traffic, /<<< EHLO /);
    assert.doesNotMatch(traffic, /<<< (?:MAIL|RCPT|DATA|AUTH|VRFY|EXPN)\b/i);
  });

  it('Courier (unpacked .debs): its EHLO names it; a computer; no mail', (t) => {
    const r = serviceOf(t, 'courier');
    if (!r) return;
    const { host, svc } = r;
    assert.equal(svc.protocol, 'smtp');
    // Its greeting names nothing but the host; its EHLO keywords name Courier.
    assert.equal(svc.fields['smtp.greeting'], 'mail.example.test ESMTP');
    assert.match(svc.fields['smtp.ehlo'] ?? '', /\nXVERP=Courier\n/);
    assert.equal(svc.product, 'Courier');
    assert.equal(svc.version, null);
    assert.equal(host.iot, false);
    assert.equal(host.device?.class, 'computer');
    const err = path.join(dir, 'courier.err');
    assert.doesNotMatch(existsSync(err) ? readFileSync(err, 'utf8') : '', /MAIL|RCPT|AUTH/);
  });

  it('BusyBox httpd behind Basic authentication: its 401 page and realm name it; no login', (t) => {
    const r = serviceOf(t, 'busybox-httpd-auth');
    if (!r) return;
    const { host, svc } = r;
    assert.equal(svc.fields['http.status'], '401 Unauthorized');
    assert.equal(svc.fields['http.realm'], 'Web Server Authentication');
    assert.match(svc.fields['http.body'] ?? '', /^<HTML><HEAD><TITLE>401 Unauthorized<\/TITLE>/);
    assert.equal(svc.product, 'BusyBox httpd');
    assert.equal(host.device?.class, 'unknown-embedded');
    // Two requests, both refused: the scanner sent no credentials.
    const log = readFileSync(path.join(dir, 'busybox-httpd-auth.log'), 'utf8');
    assert.deepEqual(
      log
        .split('\n')
        .filter((l) => /: (?:url|response):/.test(l))
        .map((l) => l.replace(/^\S+: /, '')),
      ['url:/', 'response:401', 'url:/favicon.ico', 'response:401'],
    );
  });

  it('webfs: Server header, version, title', (t) => {
    const r = serviceOf(t, 'webfs');
    if (!r) return;
    const { svc } = r;
    const version = upstreamVersion(which('webfsd') as string);
    assert.equal(svc.protocol, 'http');
    assert.equal(svc.fields['http.server'], `webfs/${version}`);
    assert.equal(svc.fields['http.title'], 'Real daemon test page');
    assert.equal(svc.product, 'webfs');
    assert.equal(svc.version, version);
  });

  it('ser2net (telnet accepter, Debian banner): named; no OS from the banner; nothing typed', (t) => {
    const r = serviceOf(t, 'ser2net');
    if (!r) return;
    const { host, svc } = r;
    assert.equal(svc.protocol, 'telnet');
    // ser2net 4 prints the accepter and connector strings for \p and \d.
    assert.match(
      svc.fields['telnet.banner'] ?? '',
      new RegExp(
        `^ser2net port telnet,tcp,${PREFIX.replaceAll('.', '\\.')}\\.35,2000 device serialdev,/dev/ptmx,9600n81,local `,
      ),
    );
    assert.equal(svc.product, 'ser2net');
    assert.equal(svc.version, null);
    // "(Debian GNU/Linux)" is the sample banner's text on any OS: no OS, no class, no maker.
    assert.equal(host.device, null);
    // Its trace of the session: the client came and went, and typed nothing to the port.
    const trace = readFileSync(path.join(dir, 'ser2net.trace'), 'utf8');
    // Lines other than its timestamped OPEN/CLOSE are bytes the client sent to the port.
    assert.match(trace, /^[0-9/]+ [0-9:]+ OPEN \(ipv4,/m);
    assert.doesNotMatch(trace.replace(/^[0-9/]+ [0-9:]+ (?:OPEN|CLOSE) .*$/gm, ''), /\S/);
  });

  it('nginx HTTPS, self-signed: certificate fields read, nginx named, no maker claimed', (t) => {
    const r = serviceOf(t, 'nginx-https');
    if (!r) return;
    const { host, svc } = r;
    const version = upstreamVersion(which('nginx') as string);
    assertHttps(host, svc, 'nginx', `nginx/${version}`, version);
    // 8080: plain HTTP got nginx's 400 for plain text on a TLS port, then TLS.
    const odd = host.services.find((x) => x.transport === 'tcp' && x.port === 8080);
    assert.equal(odd?.fields['scan.probes'], '2');
    assert.equal(host.device?.vendor_id ?? null, null);
    assert.notEqual(host.iot, true);
    // Its access log: GETs only (inside TLS, and the one plain request it refused).
    const log = readFileSync(path.join(dir, 'nginx-https.access'), 'utf8');
    assert.match(log, /"GET \/ HTTP\/1\.1" 200 /);
    assert.match(log, /"GET \/ HTTP\/1\.1" 400 /);
    assert.doesNotMatch(log, /"(?:POST|PUT) |Authorization/);
  });

  it('lighttpd HTTPS, self-signed: certificate fields read, lighttpd named, no maker', (t) => {
    const r = serviceOf(t, 'lighttpd-https');
    if (!r) return;
    const { host, svc } = r;
    const version = upstreamVersion(which('lighttpd') as string);
    assertHttps(host, svc, 'lighttpd', `lighttpd/${version}`, version);
    // 8080: plain HTTP got no HTTP back (lighttpd hangs up), then TLS.
    const odd = host.services.find((x) => x.transport === 'tcp' && x.port === 8080);
    assert.equal(odd?.fields['scan.probes'], '2');
    assert.equal(host.device?.vendor_id ?? null, null);
    const err = readFileSync(path.join(dir, 'lighttpd-https.err'), 'utf8');
    assert.match(err, /SSL: .*http request/);
    const log = readFileSync(path.join(dir, 'lighttpd-https.access'), 'utf8');
    assert.match(log, /"GET \/ HTTP\/1\.1" 200 /);
    assert.doesNotMatch(log, /"(?:POST|PUT) /);
  });

  /** The HTTPS service on 443 and on 8080: the test certificate, and HTTP inside TLS. */
  function assertHttps(
    host: HostRecord,
    svc: ServiceRecord,
    product: string,
    server: string,
    version: string,
  ): void {
    const der = new X509Certificate(readFileSync(path.join(dir, 'https.crt'))).raw;
    for (const s of [svc, host.services.find((x) => x.transport === 'tcp' && x.port === 8080)]) {
      assert.ok(s, 'no service on 8080');
      assert.equal(s.protocol, 'https', `port ${s.port}`);
      assert.equal(s.fields['tls.subject'], HTTPS_SUBJECT);
      assert.equal(s.fields['tls.issuer'], HTTPS_SUBJECT);
      assert.equal(s.fields['tls.self_signed'], 'true');
      assert.equal(s.fields['tls.san'], `DNS:${HTTPS_NAME}`);
      assert.equal(s.fields['tls.key_type'], 'rsa-2048');
      assert.equal(s.fields['tls.sha256'], createHash('sha256').update(der).digest('hex'));
      assert.equal(s.fields['http.server'], server);
      assert.equal(s.fields['http.title'], 'Real daemon test page');
      assert.equal(s.product, product);
      assert.equal(s.version, version);
    }
  }

  it('gmediarender (libupnp): SSDP, description name the renderer; no class, no maker', (t) => {
    const r = serviceOf(t, 'gmediarender');
    if (!r) return;
    const { host, svc } = r;
    const version = upstreamVersion(which('gmediarender') as string);
    assert.equal(svc.protocol, 'ssdp');
    assert.match(svc.fields['ssdp.server'] ?? '', /, Portable SDK for UPnP devices\/[0-9.]+$/);
    assert.equal(svc.fields['ssdp.usn'], `uuid:${GMEDIARENDER_UUID}::upnp:rootdevice`);
    assert.equal(svc.fields['ssdp.location'], `http://${PREFIX}.37:49152/description.xml`);
    assert.equal(svc.fields['upnp.device_type'], 'urn:schemas-upnp-org:device:MediaRenderer:1');
    assert.equal(svc.fields['upnp.friendly_name'], 'Real daemon renderer');
    assert.equal(svc.fields['upnp.model_name'], 'gmediarender');
    assert.equal(svc.fields['upnp.model_number'], version);
    assert.equal(svc.product, 'gmediarender');
    assert.equal(svc.vendor, 'gmrender-resurrect');
    // A renderer on a Linux box: software named, no maker, no IoT class.
    assertNoThing(host);
    // Its log ends where it was ready: the scanner read its description and called nothing.
    const log = readFileSync(path.join(dir, 'gmediarender.log'), 'utf8');
    assert.match(log, /\| main\] Ready for rendering\.\n(?:Ready for rendering\.\n)?$/);
  });
  it('VLC (RTSP): its OPTIONS reply names it and its version; no class, no maker', (t) => {
    const r = serviceOf(t, 'vlc');
    if (!r) return;
    const { host, svc } = r;
    const version = upstreamVersion(which('vlc') as string);
    assert.equal(svc.protocol, 'rtsp');
    assert.equal(svc.fields['rtsp.status'], '200 OK');
    assert.equal(svc.fields['rtsp.server'], `VLC/${version}`);
    // The methods it offers (not OPTIONS itself), as recorded; nothing past OPTIONS was sent.
    assert.equal(svc.fields['rtsp.public'], 'DESCRIBE,SETUP,TEARDOWN,PLAY,PAUSE,GET_PARAMETER');
    assert.equal(svc.product, 'VLC');
    assert.equal(svc.version, version);
    assert.equal(host.device, null);
    assert.deepEqual(host.alternatives, []);
  });

  it('uStreamer: its index names it and its version; no KVM, no class', (t) => {
    const r = serviceOf(t, 'ustreamer');
    if (!r) return;
    const { host, svc } = r;
    const version = upstreamVersion(which('ustreamer') as string);
    assert.equal(svc.protocol, 'http');
    assert.equal(svc.fields['http.server'], undefined);
    assert.equal(svc.fields['http.title'], 'uStreamer');
    assert.ok(svc.fields['http.body']?.includes(`<h3>&micro;Streamer v${version}</h3>`));
    assert.equal(svc.product, 'uStreamer');
    assert.equal(svc.version, version);
    // A streamer alone is not a KVM, nor a camera.
    assert.equal(host.device, null);
    assert.deepEqual(host.alternatives, []);
  });

  it('Motion: web control names it and its version; no camera maker, no class', (t) => {
    const r = serviceOf(t, 'motion');
    if (!r) return;
    const { host, svc } = r;
    const version = upstreamVersion(which('motion') as string);
    assert.equal(svc.protocol, 'http');
    assert.equal(svc.fields['http.title'], 'Motion');
    assert.equal(svc.product, 'Motion');
    assert.equal(svc.version, version);
    assert.equal(host.device, null);
    assert.deepEqual(host.alternatives, []);
  });

  it('MPD: its greeting reaches unknown.banner; named, its release series', async (t) => {
    const r = serviceOf(t, 'mpd');
    if (!r) return;
    const { host, svc } = r;
    const release = upstreamVersion(which('mpd') as string);
    const series = release.split('.').slice(0, 2).join('.');
    // The protocol version it greets with shares the release's major.minor only.
    assert.match(
      svc.fields['unknown.banner'] ?? '',
      new RegExp(`^OK MPD ${series.replace('.', '\\.')}\\.[0-9]+\n$`),
    );
    assert.equal(svc.product, 'MPD');
    assert.equal(svc.version, series);
    assert.equal(host.device, null);
    assert.deepEqual(host.alternatives, []);
    // The scanner opened and closed a connection and sent no command.
    const log = await logWith(path.join(dir, 'mpd.log'), /client: \[[0-9]+\] closed/);
    assert.match(log, /client: \[[0-9]+\] opened from /);
    assert.doesNotMatch(log, /process command|password/i);
  });

  it('Icecast: its Server header on the 404 names it and its version', async (t) => {
    const r = serviceOf(t, 'icecast2');
    if (!r) return;
    const { host, svc } = r;
    const version = upstreamVersion(which('icecast2') as string);
    assert.equal(svc.protocol, 'http');
    assert.equal(svc.fields['http.server'], `Icecast ${version}`);
    assert.equal(svc.product, 'Icecast');
    assert.equal(svc.version, version);
    assert.equal(host.device, null);
    assert.deepEqual(host.alternatives, []);
    const log = await logWith(path.join(dir, 'icecast', 'access.log'), /GET \/favicon\.ico /);
    assert.match(log, /"GET \/ HTTP\/1\.1" 404 /);
    assert.doesNotMatch(log, /"(?:POST|PUT|SOURCE) |\/admin/);
  });

  it('pyftpdlib: its default greeting names it and its version; no login', async (t) => {
    const r = serviceOf(t, 'pyftpdlib');
    if (!r) return;
    const { host, svc } = r;
    const version = upstreamVersion(pyftpdlib);
    assert.equal(svc.protocol, 'ftp');
    assert.equal(svc.fields['ftp.greeting'], `pyftpdlib ${version} ready.`);
    assert.equal(svc.product, 'pyftpdlib');
    assert.equal(svc.version, version);
    assert.equal(host.device, null);
    assert.deepEqual(host.alternatives, []);
    // Its debug log: the session opened and closed, no command but QUIT.
    const log = await logWith(path.join(dir, 'pyftpdlib.log'), /FTP session closed/);
    assert.match(log, /FTP session opened/);
    assert.doesNotMatch(log, /<- (?!QUIT)/);
  });

  it('Transmission: RPC web interface named (no version); no NAS claimed', (t) => {
    const r = serviceOf(t, 'transmission');
    if (!r) return;
    const { host, svc } = r;
    assert.equal(svc.protocol, 'http');
    assert.equal(svc.fields['http.server'], 'Transmission');
    assert.equal(svc.fields['http.title'], 'Transmission Web Interface');
    assert.equal(svc.product, 'Transmission');
    assert.equal(svc.version, null);
    assert.equal(host.device, null);
    assert.deepEqual(host.alternatives, []);
  });

  it('Caddy: HTTP, and HTTPS from its internal CA (a leaf with no subject); named', async (t) => {
    const r = serviceOf(t, 'caddy');
    if (!r) return;
    const { host, svc } = r;
    assert.equal(svc.protocol, 'https');
    // An empty subject, the address in the SAN: every other certificate field is read.
    assert.equal(svc.fields['tls.subject'], undefined);
    assert.equal(svc.fields['tls.issuer'], 'CN=Caddy Local Authority - ECC Intermediate');
    assert.equal(svc.fields['tls.san'], `IP Address:${PREFIX}.47`);
    assert.equal(svc.fields['tls.self_signed'], 'false');
    assert.match(svc.fields['tls.sha256'] ?? '', /^[0-9a-f]{64}$/);
    const plain = host.services.find((s) => s.transport === 'tcp' && s.port === 80);
    for (const s of [svc, plain]) {
      assert.equal(s?.fields['http.server'], 'Caddy');
      assert.equal(s?.fields['http.title'], 'Real daemon test page');
      assert.equal(s?.product, 'Caddy');
      assert.equal(s?.version, null);
    }
    assert.equal(host.device, null);
    assert.deepEqual(host.alternatives, []);
    const log = await logWith(path.join(dir, 'caddy.access'), /"method":"GET"/);
    assert.match(log, /"method":"GET"/);
    assert.doesNotMatch(log, /"method":"(?:POST|PUT)"|"Authorization"/);
  });
  it('Shell In A Box: its page names it (no version); no class; no session started', async (t) => {
    const r = serviceOf(t, 'shellinabox');
    if (!r) return;
    const { host, svc } = r;
    assert.equal(svc.protocol, 'http');
    assert.equal(svc.fields['http.title'], 'Shell In A Box');
    assert.equal(svc.product, 'Shell In A Box');
    assert.equal(svc.version, null);
    assert.equal(host.device, null);
    assert.deepEqual(host.alternatives, []);
    // GETs only: a POST to / would have started a login session.
    const log = await logWith(path.join(dir, 'shellinabox.log'), /GET \/favicon\.ico /);
    assert.match(log, /"GET \/ HTTP\/1\.1" 200 /);
    assert.doesNotMatch(log, /"POST /);
  });

  it('Dovecot (Debian greeting): submission, IMAP, POP3 named; a Debian computer; no AUTH', async (t) => {
    const r = serviceOf(t, 'dovecot');
    if (!r) return;
    const { host, svc } = r;
    assert.equal(svc.protocol, 'smtp');
    assert.equal(svc.fields['smtp.greeting'], 'mail.example.test Dovecot (Debian) ready.');
    assert.match(svc.fields['smtp.ehlo'] ?? '', /^mail\.example\.test\n/);
    assert.equal(svc.product, 'Dovecot');
    assert.equal(svc.version, null);
    assert.equal(host.iot, false);
    assert.equal(host.device?.class, 'computer');
    assert.equal(host.device?.os.name, 'Debian');
    assert.deepEqual(host.alternatives, []);
    // IMAP and POP3 greet first; no probe speaks them: their greetings name Dovecot.
    for (const [port, greeting] of [
      [143, /^\* OK \[CAPABILITY IMAP4rev1 [^\]]*\] Dovecot \(Debian\) ready\.\n$/],
      [110, /^\+OK Dovecot \(Debian\) ready\.\n$/],
    ] as const) {
      const other = host.services.find((x) => x.transport === 'tcp' && x.port === port);
      assert.match(other?.fields['unknown.banner'] ?? '', greeting);
      assert.equal(other?.product, 'Dovecot');
    }
    // Its login processes say how each client left: no authentication tried.
    const log = await logWith(
      path.join(dir, 'dovecot.err'),
      /^(?=.*submission-login: Info: Disconnected)(?=.*imap-login: Info: Disconnected)(?=.*pop3-login: Info: Disconnected)/s,
    );
    for (const service of ['submission', 'imap', 'pop3'])
      assert.match(
        log,
        new RegExp(`${service}-login: Info: Disconnected: .*\\(no auth attempts in `),
      );
    assert.doesNotMatch(log, /auth failed|MAIL FROM|RCPT TO/i);
  });
  it('GStreamer RTSP server: its OPTIONS reply names the library; no camera, no maker', (t) => {
    const r = serviceOf(t, 'gst-rtsp-server');
    if (!r) return;
    const { host, svc } = r;
    assert.equal(svc.protocol, 'rtsp');
    assert.equal(svc.fields['rtsp.status'], '200 OK');
    assert.equal(svc.fields['rtsp.server'], 'GStreamer RTSP server');
    assert.match(svc.fields['rtsp.public'] ?? '', /^OPTIONS, DESCRIBE, .*\bTEARDOWN$/);
    assert.equal(svc.product, 'GStreamer RTSP server');
    assert.equal(svc.version, null);
    // The library is in cameras, but alone it makes none.
    assert.equal(host.device, null);
    assert.deepEqual(host.alternatives, []);
  });
  it('Snapcast server: its Server header and default page name it; no class', (t) => {
    const r = serviceOf(t, 'snapserver');
    if (!r) return;
    const { host, svc } = r;
    assert.equal(svc.protocol, 'http');
    assert.equal(svc.fields['http.server'], 'Snapcast');
    assert.equal(svc.fields['http.title'], 'Snapcast Default Page');
    assert.equal(svc.product, 'Snapcast server');
    assert.equal(svc.version, null);
    assert.equal(host.device, null);
    assert.deepEqual(host.alternatives, []);
    // Still running after the scan (it dies on some bytes on its control port, not scanned).
    const child = started.get('snapserver');
    assert.equal(child?.exitCode, null);
  });
  it('VLC HTTP interface behind its password: realm and error page name VLC', (t) => {
    const r = serviceOf(t, 'vlc-http');
    if (!r) return;
    const { host, svc } = r;
    assert.equal(svc.protocol, 'http');
    assert.equal(svc.fields['http.status'], '401 Unauthorized');
    assert.equal(svc.fields['http.realm'], 'VLC stream');
    assert.equal(svc.product, 'VLC');
    assert.equal(svc.version, null);
    assert.equal(host.device, null);
    assert.deepEqual(host.alternatives, []);
  });
  it('Tinyproxy: its refusal page names it and its version; nothing proxied', async (t) => {
    const r = serviceOf(t, 'tinyproxy');
    if (!r) return;
    const { host, svc } = r;
    const version = upstreamVersion(which('tinyproxy') as string);
    assert.equal(svc.protocol, 'http');
    assert.equal(svc.fields['http.server'], `tinyproxy/${version}`);
    assert.equal(svc.product, 'Tinyproxy');
    assert.equal(svc.version, version);
    assert.equal(host.device, null);
    assert.deepEqual(host.alternatives, []);
    // The scanner asked only for the target's own paths (refused: they are the proxy's).
    const log = await logWith(path.join(dir, 'tinyproxy.log'), /GET \/favicon\.ico /);
    const requests = [...log.matchAll(/Request \(file descriptor [0-9]+\): (.*)$/gm)].map(
      (m) => m[1],
    );
    assert.deepEqual(requests, ['GET / HTTP/1.1', 'GET /favicon.ico HTTP/1.1']);
  });

  it('Squid: its invalid-URL page names it and its version; nothing proxied', async (t) => {
    const r = serviceOf(t, 'squid');
    if (!r) return;
    const { host, svc } = r;
    const version = upstreamVersion(which('squid') as string);
    assert.equal(svc.protocol, 'http');
    assert.equal(svc.fields['http.server'], `squid/${version}`);
    assert.match(svc.fields['http.headers'] ?? '', /\nx-squid-error: ERR_INVALID_URL /);
    assert.equal(svc.product, 'Squid');
    assert.equal(svc.version, version);
    assert.equal(host.device, null);
    assert.deepEqual(host.alternatives, []);
    // Its access log: two GETs refused (400), no upstream contacted (HIER_NONE).
    const log = await logWith(path.join(dir, 'squid', 'access.log'), /GET \/favicon\.ico /);
    const lines = log.split('\n').filter(Boolean);
    assert.equal(lines.length, 2, log);
    for (const line of lines) assert.match(line, / NONE_NONE\/400 [0-9]+ GET \/\S* - HIER_NONE\//);
  });
  it('rsync daemon: its greeting reaches unknown.banner and names it; no module asked', async (t) => {
    const r = serviceOf(t, 'rsyncd');
    if (!r) return;
    const { host, svc } = r;
    assert.match(svc.fields['unknown.banner'] ?? '', /^@RSYNCD: [0-9]{2}\.[0-9]+[ a-z0-9]*\n$/);
    assert.equal(svc.product, 'rsync daemon');
    assert.equal(svc.version, null);
    assert.equal(host.device, null);
    assert.deepEqual(host.alternatives, []);
    // The client came and went: no module list, no module, no authentication.
    const log = await logWith(path.join(dir, 'rsyncd.err'), /connect from /);
    assert.match(log, /connect from /);
    assert.doesNotMatch(log, /module-list|rsync (?:on|to) |auth/i);
  });

  it('gpsd: its VERSION object reaches unknown.banner; named, with its version', (t) => {
    const r = serviceOf(t, 'gpsd');
    if (!r) return;
    const { host, svc } = r;
    const version = upstreamVersion(which('gpsd') as string);
    assert.ok(
      svc.fields['unknown.banner']?.startsWith(`{"class":"VERSION","release":"${version}",`),
      svc.fields['unknown.banner'],
    );
    assert.equal(svc.product, 'gpsd');
    assert.equal(svc.version, version);
    assert.equal(host.device, null);
    assert.deepEqual(host.alternatives, []);
  });

  it('Shairport Sync: its RTSP server on 5000 answers a GET as RTSP; named; no Apple, no class', async (t) => {
    const r = serviceOf(t, 'shairport-sync');
    if (!r) return;
    const { host, svc } = r;
    // The silent port got a GET, answered "RTSP/1.0 400" without CSeq: RTSP came next.
    assert.equal(svc.protocol, 'rtsp');
    assert.equal(svc.fields['scan.probes'], '2');
    assert.equal(svc.fields['rtsp.status'], '200 OK');
    assert.equal(svc.fields['rtsp.server'], 'AirTunes/105.1');
    assert.equal(
      svc.fields['rtsp.public'],
      'ANNOUNCE, SETUP, RECORD, PAUSE, FLUSH, TEARDOWN, OPTIONS, GET_PARAMETER, SET_PARAMETER',
    );
    assert.equal(svc.product, 'Shairport Sync');
    // It never sends its own version (AirTunes/105.1 is a constant of its code): none is
    // claimed, and the package's is nowhere in what was read.
    assert.equal(svc.version, null);
    const release = upstreamVersion(which('shairport-sync') as string);
    assert.ok(!JSON.stringify(svc.fields).includes(release), release);
    assert.equal(host.device, null, 'no Apple device, no class');
    assert.deepEqual(host.alternatives, []);
    // Two connections: the GET it could not parse, then one OPTIONS; nothing else asked.
    const log = await logWith(path.join(dir, 'shairport-sync.log'), /Connection 2: terminated/);
    assert.match(log, /Connection 1: rtsp_read_request can't find an RTSP header/);
    const asked = [...log.matchAll(/Received an RTSP Packet of type "([A-Z_]+)"/g)].map(
      (m) => m[1],
    );
    assert.deepEqual(asked, ['OPTIONS']);
  });

  it('Rygel (GUPnP): SSDP reply, description from the same host name it and its version; no maker', (t) => {
    const r = serviceOf(t, 'rygel');
    if (!r) return;
    const { host, svc } = r;
    const version = upstreamVersion(which('rygel') as string);
    assert.equal(svc.protocol, 'ssdp');
    assert.match(svc.fields['ssdp.server'] ?? '', / UPnP\/1\.0 GUPnP\/[0-9.]+$/);
    assert.match(
      svc.fields['ssdp.location'] ?? '',
      new RegExp(`^http://${PREFIX.replaceAll('.', '\\.')}\\.62:[0-9]+/[0-9a-f-]{36}\\.xml$`),
    );
    assert.equal(svc.fields['upnp.device_type'], 'urn:schemas-upnp-org:device:MediaServer:3');
    assert.equal(svc.fields['upnp.friendly_name'], 'Real daemon media');
    assert.equal(svc.fields['upnp.manufacturer'], 'Rygel Developers.');
    assert.equal(svc.fields['upnp.model_name'], 'Rygel');
    assert.equal(svc.fields['upnp.model_number'], version);
    assert.equal(svc.product, 'Rygel');
    assert.equal(svc.version, version);
    // The project in "manufacturer" is no maker; GUPnP's Linux line says at most computer.
    assertNoThing(host);
  });

  it('aiohttp: its Server line names it and its version; no Home Assistant, no class', (t) => {
    const r = serviceOf(t, 'aiohttp');
    if (!r) return;
    const { host, svc } = r;
    const version = upstreamVersion(aiohttp);
    assert.equal(svc.protocol, 'http');
    assert.equal(svc.fields['http.status'], '404 Not Found');
    assert.match(
      svc.fields['http.server'] ?? '',
      new RegExp(`^Python/3\\.[0-9]+ aiohttp/${version.replaceAll('.', '\\.')}$`),
    );
    assert.equal(svc.fields['http.body'], '404: Not Found');
    assert.equal(svc.product, 'aiohttp');
    assert.equal(svc.version, version);
    assert.equal(host.device, null);
    assert.deepEqual(host.alternatives, []);
  });

  it('Privoxy: its refusal of a plain GET names it; nothing proxied', async (t) => {
    const r = serviceOf(t, 'privoxy');
    if (!r) return;
    const { host, svc } = r;
    assert.equal(svc.protocol, 'http');
    assert.equal(svc.fields['http.status'], '400 Invalid header received from client');
    assert.equal(svc.fields['http.server'], undefined);
    assert.equal(svc.product, 'Privoxy');
    assert.equal(svc.version, null);
    assert.equal(host.device, null);
    assert.deepEqual(host.alternatives, []);
    // Its request log: the target's own two paths, both refused; no URL of elsewhere.
    const log = await logWith(path.join(dir, 'privoxy.log'), /"GET \/favicon\.ico /);
    const requests = [...log.matchAll(/\] "([^"]*)" ([0-9]{3}) /g)].map((m) => `${m[1]} ${m[2]}`);
    assert.deepEqual(requests, ['GET / HTTP/1.1 400', 'GET /favicon.ico HTTP/1.1 400']);
  });

  it('HAProxy: its own 503 page names it (no Server line, no version); nothing forwarded', async (t) => {
    const r = serviceOf(t, 'haproxy');
    if (!r) return;
    const { host, svc } = r;
    assert.equal(svc.protocol, 'http');
    assert.equal(svc.fields['http.status'], '503 Service Unavailable');
    assert.equal(svc.fields['http.server'], undefined);
    assert.equal(svc.product, 'HAProxy');
    assert.equal(svc.version, null);
    assert.equal(host.device, null);
    assert.deepEqual(host.alternatives, []);
    // Its HTTP log: two GETs, no server chosen (<NOSRV>), nothing else.
    const log = await logWith(path.join(dir, 'haproxy.log'), /"GET \/favicon\.ico /);
    const lines = log.split('\n').filter((l) => / web none\//.test(l));
    assert.equal(lines.length, 2, log);
    for (const line of lines)
      assert.match(line, / web none\/<NOSRV> .* 503 .*"GET \/\S* HTTP\/1\.1"$/);
  });

  it('stunnel: its provisional certificate names it; the wrapped server stays the product', async (t) => {
    const r = serviceOf(t, 'stunnel');
    if (!r) return;
    const { host, svc } = r;
    const subject =
      'C=PL, ST=Mazovia Province, L=Warsaw, O=Stunnel Developers, OU=Provisional CA, CN=localhost';
    assert.equal(svc.protocol, 'https');
    assert.equal(svc.fields['tls.subject'], subject);
    assert.equal(svc.fields['tls.issuer'], subject);
    assert.equal(svc.fields['tls.self_signed'], 'true');
    // The server behind speaks through it: aiohttp is the product, stunnel a match.
    assert.match(svc.fields['http.server'] ?? '', / aiohttp\//);
    assert.equal(svc.product, 'aiohttp');
    assert.ok(
      svc.matches.some((m) => m.signature === 'stunnel/stunnel'),
      JSON.stringify(svc.matches),
    );
    assert.equal(host.device, null);
    assert.deepEqual(host.alternatives, []);
    const log = await logWith(path.join(dir, 'stunnel.log'), /Connection closed/);
    assert.match(log, /Service \[https\] accepted connection from /);
  });

  it('Varnish: its 503 page, Server and Via lines name it and its major.minor', (t) => {
    const r = serviceOf(t, 'varnish');
    if (!r) return;
    const { host, svc } = r;
    const series = upstreamVersion(which('varnishd') as string)
      .split('.')
      .slice(0, 2)
      .join('.');
    assert.equal(svc.protocol, 'http');
    assert.equal(svc.fields['http.status'], '503 Backend fetch failed');
    assert.equal(svc.fields['http.server'], 'Varnish');
    assert.match(
      svc.fields['http.headers'] ?? '',
      new RegExp(`^via: 1\\.1 varnish \\(Varnish/${series.replace('.', '\\.')}\\)$`, 'm'),
    );
    assert.match(svc.fields['http.body'] ?? '', /<p>Varnish cache server<\/p>/);
    assert.equal(svc.product, 'Varnish');
    assert.equal(svc.version, series);
    assert.equal(host.device, null);
    assert.deepEqual(host.alternatives, []);
  });

  it('nginx mail proxy (SMTP): greeting and EHLO name nginx; no AUTH, no mail', async (t) => {
    const r = serviceOf(t, 'nginx-mail');
    if (!r) return;
    const { host, svc } = r;
    assert.equal(svc.protocol, 'smtp');
    assert.equal(svc.fields['smtp.greeting'], 'mail.example.test ESMTP ready');
    assert.equal(svc.fields['smtp.ehlo'], 'mail.example.test\nAUTH PLAIN LOGIN');
    assert.equal(svc.product, 'nginx');
    assert.equal(svc.version, null);
    assert.equal(host.device, null);
    assert.deepEqual(host.alternatives, []);
    // Its info log: the client came; no login was handed to auth_http, no mail.
    const log = await logWith(path.join(dir, 'nginx-mail.err'), /client .* connected to /);
    assert.match(log, /client [0-9.]+:[0-9]+ connected to /);
    assert.doesNotMatch(log, /auth http|login|MAIL FROM|RCPT TO/i);
  });
});
