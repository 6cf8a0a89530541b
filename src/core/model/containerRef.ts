// Temporary re-export: src/ui/commands still imports this path. The coordinator removes this file
// after merging the commands rewrite (which imports ../../core/values/containerRef instead).
export { formatContainerRef, parseContainerRef } from '../values/containerRef';
export type { ContainerRef } from '../values/containerRef';
