import type { SpecCheck, SpecDifference } from '../systems/kit/spec';
import type { AnswerCheck, DescribedDifference } from './contract-drift';

/**
 * Internal to src/autopilot: a vendor's published description (the spec kit) as an answer check. Its differences are
 * worded as contract drift: the field (list positions folded into `[]`, as the shape check names them) and what
 * changed. A difference the description cannot speak to (an operation or status our trimmed copy leaves out) is no
 * drift of the vendor's and is left out.
 */
export function describedBy(load: () => SpecCheck): AnswerCheck {
  let spec: SpecCheck | undefined;
  return ({ method, path, status, body }) => {
    spec ??= load();
    return spec.checkAnswer(method, path.split('?', 1)[0] ?? path, status, body).flatMap((difference) => {
      const change = changeOf(difference);
      return change === undefined ? [] : [{ field: fieldOf(difference.path), change, seen: difference.seen }];
    });
  };
}

function fieldOf(segments: readonly string[]): string {
  let field = '';
  for (const segment of segments) field += /^\d+$/.test(segment) ? `${field === '' ? '$' : ''}[]` : `${field === '' ? '' : '.'}${segment}`;
  return field || '$';
}

function changeOf(difference: SpecDifference): DescribedDifference['change'] | undefined {
  switch (difference.rule) {
    case 'operation':
      return undefined;
    case 'enum':
      return `enum value ${difference.seen} (the description allows ${difference.expected})`;
    case 'type':
      return `type: the description says ${difference.expected}`;
    case 'required':
      return 'disappeared';
    case 'additionalProperties':
    case 'unevaluatedProperties':
      return 'appeared';
    default:
      return `${difference.rule}: the description says ${difference.expected}`;
  }
}
