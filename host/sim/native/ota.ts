import type { Native } from '../../../bindings/native.js';
import { checkFirmwareImage } from '../../ota/firmware-image.ts';
import { FIRMWARE_SLOTS, type FirmwareSlot } from '../otadata.ts';
import { checkType, type BoardContext } from './context.ts';
import { partitionInfo, partitionView } from './partitions.ts';

/**
 * The simulator's firmware is not in its flash: ota_0, marked valid and never written (erased header), stands for
 * the firmware it was started with, and counts as a bootable image.
 */
function factoryStandIn(ctx: BoardContext, slot: FirmwareSlot): boolean {
  return slot === 'ota_0' && ctx.otadata.state(slot) === 'valid' && partitionView(ctx, slot, 'otaRollback').read(0, 1)[0] === 0xff;
}

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
    otaValidate: (label, size) => {
      checkType(typeof label === 'string' && typeof size === 'number', 'otaValidate', '(label: string, size: number)');
      return validate(label, size, 'otaValidate');
    },
    otaSetBoot(label) {
      checkType(typeof label === 'string', 'otaSetBoot', 'label must be a string');
      const err = validate(label, null, 'otaSetBoot');
      if (err) return err;
      ctx.otadata.setBoot(slot(label, 'otaSetBoot'));
      return null;
    },
    otaRunning: () => Object.assign(ctx.sandbox.run('({})', 'ota') as object, { label: ctx.otadata.running, state: ctx.otadata.state(ctx.otadata.running) }),
    otaMarkValid: () => ctx.otadata.markValid(),
    otaRollback() {
      // esp_ota_mark_app_invalid_rollback_and_reboot: only when another slot holds a usable image; else it returns
      // (ESP_ERR_OTA_ROLLBACK_FAILED) and nothing changes.
      const prev = ctx.otadata.next();
      const why = !ctx.otadata.canRollback() ? `${prev} is ${ctx.otadata.state(prev)}` : factoryStandIn(ctx, prev) ? null : checkFirmwareImage(partitionView(ctx, prev, 'otaRollback').read(0, ctx.partitions.get(prev)!.size));
      if (why !== null || !ctx.otadata.rollback()) {
        ctx.log('error', `otaRollback: rollback is not possible (${why ?? 'no usable slot'})`);
        return;
      }
      ctx.requestRestart('rollback');
      // It does not return on the device: nothing after the call may run (the board has already stopped this boot,
      // so the runtime drops this exception).
      throw new Error('otaRollback: restarting');
    },
  };
}
