/** Every object Crosslink creates carries these, so cleanup can find exactly its own objects. */
export const managedLabel = 'crosslink.managed';
export const roleLabel = 'crosslink.role';

export function managedLabels(role: string, extra: Record<string, string> = {}): Record<string, string> {
  return { [managedLabel]: 'true', [roleLabel]: role, ...extra };
}

export function isManaged(labels: Record<string, string> | undefined): boolean {
  return labels?.[managedLabel] === 'true';
}
