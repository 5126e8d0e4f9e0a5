/**
 * One of `items` at random, in proportion to its weight (SageMaker's InitialVariantWeight);
 * undefined when every weight is 0.
 */
export function pickByWeight<T extends { readonly weight: number }>(items: readonly T[]): T | undefined {
  let total = 0;
  for (const item of items) total += item.weight;
  if (total <= 0) return undefined;
  let r = Math.random() * total;
  for (const item of items) {
    r -= item.weight;
    if (r < 0 && item.weight > 0) return item;
  }
  return items.findLast((item) => item.weight > 0);
}
