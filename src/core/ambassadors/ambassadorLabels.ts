// Temporary re-export: src/ui/commands still imports this path. The coordinator removes this file
// after merging the commands rewrite (which imports ../../core/values/labels instead).
export { formatTarget } from '../values/labels';
export type { CrossLink, CrossLinkMode } from '../values/labels';
