/**
 * The largest MQTT message handed to the app is defined once: the mqttMaxMsg setting's default. The simulated
 * board reads it from the settings table; the C runtimes' fallback (JW_MQTT_MAX_MESSAGE_DEFAULT) is compiled
 * here and must say the same.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SETTINGS } from '../../device/settings/keys.ts';
import { packageRoot } from '../../host/paths.ts';

describe('the message size limit', () => {
  it('the C runtimes\' default is the mqttMaxMsg setting\'s default', function () {
    if (spawnSync('cc', ['--version'], { stdio: 'ignore' }).status !== 0) {
      const msg = 'no C compiler (apt-get install -y gcc)';
      if (process.env.CI === 'true') throw new Error(msg);
      console.warn(`\n  !!! SKIPPING: ${msg}\n`);
      this.skip();
    }
    const dir = mkdtempSync(join(tmpdir(), 'jw-limit-'));
    try {
      writeFileSync(join(dir, 'limit.c'), '#include <stdio.h>\n#include "jw_mqtt.h"\nint main(void) { printf("%u\\n", (unsigned)JW_MQTT_MAX_MESSAGE_DEFAULT); return 0; }\n');
      const cc = spawnSync('cc', ['-I', join(packageRoot(), 'native', 'include'), '-o', join(dir, 'limit'), join(dir, 'limit.c')], { encoding: 'utf8' });
      assert.equal(cc.status, 0, cc.stderr);
      const run = spawnSync(join(dir, 'limit'), { encoding: 'utf8' });
      assert.equal(Number(run.stdout.trim()), SETTINGS.mqttMaxMsg.default);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
