/**
 * A real firewalld (Debian 12's 1.3) inside a lab namespace, without touching the host's firewall or D-Bus:
 * the lab's network namespace plus a private mount namespace where /run is a tmpfs (so the system bus socket
 * /run/dbus/system_bus_socket is our own), a private `dbus-daemon` with a config of ours (the system bus policy
 * plus firewalld's own FirewallD.conf), and a temporary directory bound over /etc/firewalld so that
 * `--permanent` changes stay in the test. firewall-cmd has no polkit here and falls back to "uid 0 may"
 * (firewall/server/decorators.py), which is what it does on a server without polkit too.
 *
 * The iptables backend runs as on CentOS 7: `FirewallBackend=iptables` and, inside the private mount namespace
 * only, xtables-legacy-multi bound over xtables-nft-multi so that /usr/sbin/iptables-restore is the legacy
 * (x_tables) one that CentOS 7 has, not Debian's iptables-nft.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCommand, type Runner } from '../../src/inspect/run.js';
import { SETPRIV, type Lab } from './_lab.js';

export type FirewalldBackend = 'nftables' | 'iptables';

const DBUS_CONF = `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<!-- ntpdoctor lab: a private system bus for one firewalld, socket in the test's own tmpfs /run. -->
<busconfig>
  <type>system</type>
  <listen>unix:path=/run/dbus/system_bus_socket</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <deny own="*"/>
    <deny send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_requested_reply="true" send_type="method_return"/>
    <allow send_requested_reply="true" send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
    <allow receive_type="signal"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Introspectable"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Properties"/>
  </policy>
  <include ignore_missing="no">/usr/share/dbus-1/system.d/FirewallD.conf</include>
</busconfig>
`;

/** Debian's shipped firewalld.conf settings (1.3.3), with the backend chosen by the test. */
function firewalldConf(backend: FirewalldBackend): string {
  return [
    '# ntpdoctor lab: Debian 12 firewalld.conf defaults, FirewallBackend chosen by the test',
    'DefaultZone=public',
    'CleanupOnExit=yes',
    'CleanupModulesOnExit=no',
    'Lockdown=no',
    'IPv6_rpfilter=yes',
    'IndividualCalls=no',
    'LogDenied=off',
    `FirewallBackend=${backend}`,
    'FlushAllOnReload=yes',
    'RFC3964_IPv4=yes',
    '',
  ].join('\n');
}

/** Tools the sandbox needs, for labUnavailable(). */
export const FIREWALLD_TOOLS = ['firewalld', 'firewall-cmd', 'dbus-daemon', 'unshare', 'nsenter', 'mount', '/usr/share/dbus-1/system.d/FirewallD.conf'];

export class FirewalldSandbox {
  readonly etc: string;
  private readonly dbusConf: string;
  private dbus: ChildProcess | undefined;
  private daemon: ChildProcess | undefined;

  constructor(
    private readonly lab: Lab,
    readonly ns: string,
    readonly backend: FirewalldBackend,
  ) {
    this.etc = join(lab.dir, `etc-firewalld-${backend}`);
    this.dbusConf = join(lab.dir, `dbus-${backend}.conf`);
  }

  /** nsenter arguments that put a command into the sandbox (mount namespace of our dbus-daemon, lab netns). */
  private enter(): string[] {
    const pid = this.dbus?.pid;
    if (pid === undefined) throw new Error('firewalld sandbox not started');
    return [`--mount=/proc/${pid}/ns/mnt`, `--net=/run/netns/${this.ns}`, '--'];
  }

  async start(): Promise<void> {
    for (const d of ['', 'zones', 'services', 'icmptypes', 'ipsets', 'helpers', 'policies']) mkdirSync(join(this.etc, d), { recursive: true, mode: 0o750 });
    writeFileSync(join(this.etc, 'firewalld.conf'), firewalldConf(this.backend));
    writeFileSync(this.dbusConf, DBUS_CONF);
    // Paths go in as positional parameters ($1, $2), never into the script text.
    const legacy = this.backend === 'iptables' ? ' && mount --bind /usr/sbin/xtables-legacy-multi /usr/sbin/xtables-nft-multi' : '';
    const script = `mount -t tmpfs -o mode=0755 ndnode-run /run && mkdir /run/dbus && mount --bind "$1" /etc/firewalld${legacy} && exec dbus-daemon --config-file="$2" --nofork --nopidfile`;
    // ip netns exec → setpriv → unshare → sh all exec: the child's PID ends up being dbus-daemon's.
    const dbus = this.lab.spawn(`dbus-${this.backend}`, this.ns, ['unshare', '--mount', '--propagation', 'private', '--', 'sh', '-c', script, 'sh', this.etc, this.dbusConf]);
    this.dbus = dbus;
    // /proc/PID/root shows the sandbox's own /run from outside.
    await this.lab.until(20, 'the private system bus socket', () => {
      if (dbus.exitCode !== null) throw new Error(`dbus-daemon exited: ${this.lab.log(`dbus-${this.backend}`)}`);
      return existsSync(`/proc/${dbus.pid}/root/run/dbus/system_bus_socket`);
    });
    const log = `firewalld-${this.backend}`;
    writeFileSync(join(this.lab.dir, `${log}.log`), '');
    const daemon = spawn('nsenter', [...this.enter(), ...SETPRIV, 'firewalld', '--nofork', '--nopid', '--log-target=console'], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.daemon = daemon;
    const append = (d: Buffer) => writeFileSync(join(this.lab.dir, `${log}.log`), d, { flag: 'a' });
    daemon.stdout?.on('data', append);
    daemon.stderr?.on('data', append);
    // firewalld (Python) takes a few seconds to build its rules, longer on a loaded machine.
    await this.lab.until(90, 'firewall-cmd --state: running', () => {
      if (daemon.exitCode !== null) throw new Error(`firewalld exited: ${this.lab.log(log)}`);
      return this.run(['firewall-cmd', '--state']).stdout.trim() === 'running';
    });
  }

  /** Runs a command inside the sandbox without CAP_SYS_TIME; status and output, never throws. */
  run(argv: string[]): { status: number | null; stdout: string; stderr: string; ms: number } {
    const t0 = Date.now();
    const r = spawnSync('nsenter', [...this.enter(), ...SETPRIV, ...argv], { encoding: 'utf8', timeout: 60_000 });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr, ms: Date.now() - t0 };
  }

  /** Like run, but throws on failure and returns stdout. */
  exec(argv: string[]): string {
    return execFileSync('nsenter', [...this.enter(), ...SETPRIV, ...argv], { encoding: 'utf8', timeout: 60_000 });
  }

  /** The node inspection's runner, pointed into the sandbox (what `diagnose` would run there). */
  runner(): Runner {
    return (file, args, o) => runCommand('nsenter', [...this.enter(), file, ...args], o);
  }

  log(): string {
    return this.lab.log(`firewalld-${this.backend}`);
  }

  /** Stops firewalld (SIGTERM: CleanupOnExit removes its rules), then the bus; then empties the netns' tables. */
  async stop(): Promise<void> {
    if (this.daemon) await this.lab.stop(this.daemon);
    if (this.dbus) await this.lab.stop(this.dbus);
    spawnSync('ip', ['netns', 'exec', this.ns, 'nft', 'flush', 'ruleset']);
    for (const t of ['filter', 'nat', 'mangle', 'raw', 'security']) {
      spawnSync('ip', ['netns', 'exec', this.ns, 'iptables-legacy', '-t', t, '-F']);
      spawnSync('ip', ['netns', 'exec', this.ns, 'iptables-legacy', '-t', t, '-X']);
    }
    spawnSync('ip', ['netns', 'exec', this.ns, 'iptables-legacy', '-P', 'INPUT', 'ACCEPT']);
  }
}
