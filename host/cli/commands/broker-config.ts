import type { Command } from 'commander';
import { CliError } from '../errors.ts';

const collect = (v: string, prev: string[]) => [...prev, v];

/** `jerrywatt broker-config --mosquitto DIR`: a production mosquitto configured from the fleet (docs/security.md). */
export default function register(program: Command): void {
  program
    .command('broker-config')
    .description('write mosquitto.conf, the password file, the ACL file and the TLS files for a production mosquitto from the fleet')
    .requiredOption('--mosquitto <dir>', 'output directory (e.g. /etc/mosquitto/jerrywatt); mosquitto.conf names files in it by absolute path')
    .option('--fleet <dir>', 'fleet directory', '.jerrywatt/fleet')
    .option('--host <name>', 'name or address clients use to reach the broker (server certificate; repeatable)', collect, [])
    .option('--bind <addr>', 'address the listeners bind to (default: every address)')
    .option('--port <n>', 'mutual-TLS listener (certificate identities)', '8883')
    .option('--password-port <n>', 'TLS listener for username/password logins', '8884')
    .option('--ws-port <n>', 'WebSocket-over-TLS listener (password logins; the dashboard)', '8443')
    .option('--owner <user>', 'chown the files to this user (default when run as root: mosquitto, which the broker drops to before reading them)')
    .addHelpText('after', '\nThen: include it from /etc/mosquitto/mosquitto.conf or run `mosquitto -c DIR/mosquitto.conf`; after provisioning or revoking, run broker-config again and reload mosquitto (SIGHUP).')
    .action(async (o: { mosquitto: string; fleet: string; host: string[]; bind?: string; port: string; passwordPort: string; wsPort: string; owner?: string }) => {
      const port = (flag: string, v: string) => {
        const n = Number(v);
        if (!Number.isInteger(n) || n < 1 || n > 65535) throw new CliError(`${flag} must be a port number 1..65535, got "${v}"`, 2);
        return n;
      };
      if (!o.host.length) throw new CliError('give --host NAME (repeatable): the name or address devices and users connect to', 2);
      const ports = { mtlsPort: port('--port', o.port), passwordPort: port('--password-port', o.passwordPort), wsPort: port('--ws-port', o.wsPort) };
      const { writeMosquittoConfig, defaultOwner } = await import('../../security/mosquitto.ts');
      const { CaError } = await import('../../security/ca.ts');
      try {
        const r = writeMosquittoConfig({ fleetDir: o.fleet, outDir: o.mosquitto, hosts: o.host, bind: o.bind, ...ports, owner: o.owner ?? defaultOwner() });
        process.stdout.write(`mosquitto configuration in ${o.mosquitto}:\n${r.files.map((f) => `  ${f}`).join('\n')}\nlisteners: ${r.ports.mtls} (mutual TLS), ${r.ports.password} (TLS + password), ${r.ports.ws} (WebSocket, TLS + password)\nrun: mosquitto -c ${r.conf}   (reload: kill -HUP <pid>)\n`);
      } catch (err) {
        if (err instanceof CaError) throw new CliError(`broker-config: ${err.message}`);
        throw new CliError(`broker-config: ${(err as Error).message}`);
      }
    });
}
