import { Option, type Command } from 'commander';
import { CliError } from '../errors.ts';
import { packageRoot as repoRoot } from '../../paths.ts';
import { optionalId } from '../ids.ts';

const collect = (v: string, prev: string[]) => [...prev, v];

function refuse(flag: string, instead: string): never {
  throw new CliError(`${flag} is not accepted: a password on the command line is visible to \`ps\` and kept in shell history. Use ${instead} (mode 0600), or --provisioned FILE from jerrywatt provision`, 2);
}

export default function register(program: Command): void {
  program
    .command('flash')
    .description('build the app and the firmware, write settings into the `settings` NVS partition, and flash an ESP32 (docs/firmware.md)')
    .option('-p, --port <dev>', 'serial port, e.g. /dev/ttyUSB0')
    .option('-b, --baud <n>', 'flash baud rate', '921600')
    .option('--chip <chip>', 'esp32 (default), esp32c3 or esp32s3: the ESP-IDF target of the build (its own build directory) and of esptool', 'esp32')
    .option('--app-version <n>', 'app version written into the image', '1')
    .option('--wifi-ssid <ssid>', 'Wi-Fi network name')
    .option('--wifi-pass-file <file>', 'file holding the Wi-Fi password (mode 0600; never printed)')
    .option('--broker <url>', 'MQTT broker, mqtt://host:1883 or mqtts://host:8883')
    .option('--device-id <id>', 'device id in topics (default: the chip id)')
    .option('--group <name>', 'fleet group for OTA offers')
    .option('--username <user>', 'MQTT username')
    .option('--password-file <file>', 'file holding the MQTT password (mode 0600; never printed)')
    .option('--provisioned <file>', 'device settings from `jerrywatt provision --device` (device.json): id, broker, credentials, CA; flags override')
    .addOption(new Option('--password <pass>').hideHelp().argParser(() => refuse('--password', '--password-file FILE')))
    .addOption(new Option('--wifi-pass <pass>').hideHelp().argParser(() => refuse('--wifi-pass', '--wifi-pass-file FILE')))
    .option('--ca <file>', 'PEM CA certificate for mqtts')
    .option('--cert <file>', 'PEM client certificate (mutual TLS)')
    .option('--key <file>', 'PEM client key (mutual TLS; never printed)')
    .option('--ota-pubkey <file>', 'OTA manifest public key (ECDSA P-256, PEM or DER)')
    .option('--set <name=value>', 'any other setting from device/settings/keys.ts (repeatable)', collect, [])
    .option('--app-only', 'write just the app image into the app slots (fast edit-run loop over USB)')
    .option('--monitor', 'open the serial monitor afterwards')
    .option('--dry-run', 'print every command instead of running it')
    .option('--out <dir>', 'where the firmware builds (one per chip) and the settings image go', 'dist/firmware')
    .action(async (opts) => {
      // Before the prerequisites: a bad id is a usage error whatever the machine has installed.
      optionalId('device', opts.deviceId, '--device-id');
      optionalId('group', opts.group, '--group');
      const { flash, FlashError } = await import('../../flash/flash.ts');
      try {
        await flash(repoRoot(), opts, process.env, (s) => process.stdout.write(s));
      } catch (err) {
        if (err instanceof FlashError) throw new CliError(err.message, err.exitCode);
        throw err;
      }
    });
}
