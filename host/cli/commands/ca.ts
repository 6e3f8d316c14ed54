import type { Command } from 'commander';
import { CliError } from '../errors.ts';

/** `jerrywatt ca init`: the fleet CA that signs device, user and broker certificates (docs/security.md). */
export default function register(program: Command): void {
  const ca = program.command('ca').description('the fleet certificate authority (docs/security.md)');
  ca.command('init')
    .description('make the fleet CA: an ECDSA P-256 root (key mode 0600), its certificate database and an empty CRL')
    .option('--fleet <dir>', 'fleet directory', '.jerrywatt/fleet')
    .option('--name <cn>', 'CA certificate common name', 'jerrywatt fleet CA')
    .option('--days <n>', 'validity in days', '3650')
    .addHelpText('after', '\nNext: jerrywatt provision --device dev1; jerrywatt provision --user alice --role operator; jerrywatt broker-config --mosquitto DIR --host broker.example')
    .action(async (o: { fleet: string; name: string; days: string }) => {
      const days = Number(o.days);
      if (!Number.isInteger(days) || days < 1) throw new CliError(`--days must be a whole number of days >= 1, got "${o.days}"`, 2);
      const { initCa, CaError } = await import('../../security/ca.ts');
      const { fleetPaths } = await import('../../security/fleet.ts');
      try {
        const p = initCa(fleetPaths(o.fleet).caDir, { days, name: o.name });
        process.stdout.write(`fleet CA in ${p.dir}\n  certificate ${p.cert} (give it to brokers and clients: --ca)\n  key         ${p.key} (mode 0600; keep it off brokers and devices)\n  CRL         ${p.crl}\n`);
      } catch (err) {
        if (err instanceof CaError) throw new CliError(`ca init: ${err.message}`);
        throw err;
      }
    });
}
