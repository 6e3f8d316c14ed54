import type { Native } from '../../../bindings/native.js';
import { checkFirmwareImage } from '../../ota/firmware-image.ts';
import { FIRMWARE_SLOTS, type FirmwareSlot } from '../otadata.ts';
import { checkType, type BoardContext } from './context.ts';
import { partitionInfo, partitionView } from './partitions.ts';

/** Firmware OTA slots. Like esp_ota_set_boot_partition, set-boot validates the image before it switches. */
export function otaNative(ctx: BoardContext): Pick<Native, 'otaNextSlot' | 'otaValidate' | 'otaSetBoot' | 'otaRunning' | 'otaMarkValid' | 'otaRollback'> {
  const slot = (label: string, fn: string): FirmwareSlot => {
    checkType((FIRMWARE_SLOTS as readonly string[]).includes(label), fn, `"${label}" is not a firmware slot`);
    return label as FirmwareSlot;
  };
  const validate = (label: string, size: number | null, fn: string): string | null => {
    const s = slot(label, fn);
    if (s === ctx.otadata.running) return `${label} is the running slot`;
    const view = partitionView(ctx, s, fn);
    const len = size ?? view.entry.size;
    if (!Number.isInteger(len) || len <= 0 || len > view.entry.size) return `size ${len} does not fit ${label}`;
    return checkFirmwareImage(view.read(0, len));
  };
  return {
    otaNextSlot: () => Object.assign(ctx.sandbox.run('({})', 'ota') as object, partitionInfo(ctx, ctx.otadata.next())!),
    otaValidate: (label, size) => validate(label, size, 'otaValidate'),
    otaSetBoot(label) {
      const err = validate(label, null, 'otaSetBoot');
      if (err) return err;
      ctx.otadata.setBoot(slot(label, 'otaSetBoot'));
      return null;
    },
    otaRunning: () => Object.assign(ctx.sandbox.run('({})', 'ota') as object, { label: ctx.otadata.running, state: ctx.otadata.state(ctx.otadata.running) }),
    otaMarkValid: () => ctx.otadata.markValid(),
    otaRollback() {
      ctx.otadata.rollback();
      ctx.requestRestart('rollback');
    },
  };
}
