// Temporary re-export: src/ui/commands still imports this path. The coordinator removes this file
// after merging the commands rewrite (which imports ../../core/values/labels instead).
export { isManaged, managedLabel, managedLabels, roleLabel } from '../values/labels';
