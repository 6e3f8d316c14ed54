/**
 * The refusal: data outside the conditions a model was trained for is refused with the reasons, unless forced,
 * in which case the reasons become warnings. evaluate and process (with --model) both go through here.
 */
import type { Dataset } from '../dataset.ts';
import type { ModelConditions } from '../../forest/model.ts';
import { checkConditions, describeConditions } from '../../model/conditions.ts';

export class OutsideConditionsError extends Error {}

/** Returns the warnings to show; throws OutsideConditionsError when the data is outside and not forced. */
export function guardConditions(model: ModelConditions | undefined, ds: Dataset, dataFeatureSet: string | undefined, force: boolean): string[] {
  const c = checkConditions(model, ds, dataFeatureSet);
  if (c.outside.length && !force) {
    throw new OutsideConditionsError(
      `the data is outside the conditions the model was trained for (${describeConditions(model)}):\n  - ${c.outside.join('\n  - ')}\n` +
        'its scores would not mean what they say; train a model for these conditions, fix the data\'s settings, or give --force to go on anyway',
    );
  }
  return [...c.outside.map((o) => `outside the model's conditions (forced): ${o}`), ...c.warnings];
}
