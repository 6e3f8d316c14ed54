import { Option, type Command } from 'commander';
import { CliError } from '../errors.ts';
import { optionalId, requireIdList } from '../ids.ts';

interface ProvisionCli {
  fleet: string;
  device?: string;
  user?: string;
  role?: string;
  auth?: string;
  group?: string;
  meters?: string;
  broker?: string;
  prefix?: string;
  revoke?: string;
  list?: boolean;
}

/** `jerrywatt provision`: an identity for a device, operator or service; `--revoke`; `--list` (docs/security.md). */
export default function register(program: Command): void {
  program
    .command('provision')
    .description('issue an identity: a device (client certificate or random password, and the settings `flash --provisioned` writes) or a user with a role')
    .option('--fleet <dir>', 'fleet directory (jerrywatt ca init)', '.jerrywatt/fleet')
    .option('--device <id>', 'provision a device with this id')
    .option('--user <name>', 'provision an operator or service with this name')
    .addOption(new Option('--role <role>', 'role of --user').choices(['operator', 'viewer', 'collector', 'gateway']))
    .addOption(new Option('--auth <kind>', 'cert: a client certificate for mutual TLS; password: a random password').choices(['cert', 'password']))
    .option('--group <g>', 'device: its OTA group')
    .option('--meters <ids>', 'device: meters it watches; gateway: meters it publishes (comma-separated)')
    .option('--broker <url>', 'device: the broker URL its settings get (mqtts://host:8883 for certificates, :8884 for passwords)')
    .option('--prefix <p>', 'topic prefix of a new fleet (the first identity sets it)')
    .option('--revoke <name>', 'revoke an identity: remove its password, add its certificate to the CRL; brokers apply it on reload')
    .option('--list', 'list the identities')
    .addHelpText(
      'after',
      `
Roles: operator (commands LEDs, publishes OTA), viewer (reads, for the dashboard), collector (reads telemetry),
gateway (publishes its own meters' readings); a device publishes only its own topics.
Secrets are written to files of mode 0600 and never printed. Examples:
  jerrywatt provision --device dev1 --broker mqtts://broker.example:8883 --meters meter1
  jerrywatt flash --port /dev/ttyUSB0 --provisioned .jerrywatt/fleet/identities/dev1/device.json --wifi-ssid home --wifi-pass-file wifi.txt
  jerrywatt provision --user alice --role operator
  jerrywatt led on --device dev1 --broker mqtts://broker.example:8884 --ca .jerrywatt/fleet/ca/ca.crt --username alice --password-file .jerrywatt/fleet/identities/alice/password
  jerrywatt provision --revoke dev1 && jerrywatt broker-config --mosquitto /etc/mosquitto/jerrywatt --host broker.example && systemctl reload mosquitto`,
    )
    .action(async (o: ProvisionCli) => {
      const { provisionIdentity, revokeIdentity, loadFleet, FleetError } = await import('../../security/fleet.ts');
      const { CaError } = await import('../../security/ca.ts');
      try {
        if (o.list) {
          for (const i of loadFleet(o.fleet).identities) process.stdout.write(`${i.name.padEnd(20)} ${i.role.padEnd(10)} ${i.auth.padEnd(9)}${i.group ? ` group ${i.group}` : ''}${i.meters ? ` meters ${i.meters.join(',')}` : ''}\n`);
          return;
        }
        if (o.revoke !== undefined) {
          const id = revokeIdentity(o.fleet, o.revoke);
          process.stdout.write(`revoked ${id.name} (${id.role}, ${id.auth === 'cert' ? 'certificate added to the CRL' : 'password removed'}); reload the brokers: re-run broker-config and reload mosquitto; the embedded broker re-reads the fleet on SIGHUP\n`);
          return;
        }
        if ((o.device !== undefined) === (o.user !== undefined)) throw new CliError('give exactly one of --device ID, --user NAME (or --revoke NAME, --list)', 2);
        if (o.user !== undefined && !o.role) throw new CliError('--user needs --role operator|viewer|collector|gateway', 2);
        const isDevice = o.device !== undefined;
        if (isDevice && o.role) throw new CliError('--role is for --user; a device has the device role', 2);
        const name = optionalId('device', o.device ?? o.user, isDevice ? '--device' : '--user')!;
        const meters = o.meters !== undefined ? requireIdList('meter', o.meters, '--meters') : undefined;
        const role = (isDevice ? 'device' : o.role) as 'device';
        const r = provisionIdentity(o.fleet, { name, role, auth: (o.auth ?? (isDevice ? 'cert' : 'password')) as 'cert', group: optionalId('group', o.group, '--group'), meters, brokerUrl: o.broker, prefix: o.prefix });
        const lines = [`provisioned ${name} (${role}, ${r.identity.auth === 'cert' ? 'client certificate' : 'password'})`];
        if (r.files.cert) lines.push(`  certificate ${r.files.cert}`, `  key         ${r.files.key} (mode 0600)`);
        if (r.files.password) lines.push(`  password    ${r.files.password} (mode 0600; use --password-file)`);
        lines.push(`  fleet CA    ${r.files.ca} (--ca)`);
        if (r.files.deviceSettings) lines.push(`  settings    ${r.files.deviceSettings} (mode 0600): jerrywatt flash --provisioned ${r.files.deviceSettings}`);
        lines.push('brokers apply it on reload: re-run broker-config for mosquitto; the embedded broker re-reads the fleet on SIGHUP');
        process.stdout.write(lines.join('\n') + '\n');
      } catch (err) {
        if (err instanceof FleetError || err instanceof CaError) throw new CliError(`provision: ${err.message}`);
        throw err;
      }
    });
}
