import type { Command } from 'commander';
import sim from './sim.ts';
import led from './led.ts';
import build from './build.ts';
import bench from './bench.ts';
import flash from './flash.ts';
import trace from './trace.ts';
import pipeline from './pipeline.ts';
import data from './data.ts';
import ota from './ota.ts';
import telemetry from './telemetry.ts';
import dashboard from './dashboard.ts';
import ca from './ca.ts';
import provision from './provision.ts';
import brokerConfig from './broker-config.ts';

/** Registration order is help order. */
export const COMMANDS: Array<(program: Command) => void> = [sim, dashboard, led, build, flash, trace, ota, data, pipeline, telemetry, ca, provision, brokerConfig, bench];
