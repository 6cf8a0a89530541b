import { ConfigError } from '../errors';
import type { VolumeSummary } from '../types';
import { type Plan, type PlanStep, newPlan } from '../planning/plan';
import { type RecreateSubject, UnsavedChangesError, recreateSteps } from '../planning/recreate';
import { managedLabels } from '../values/labels';
import { mountPathProblem, volumeNameProblem } from './names';

export interface ShareVolumeRequest {
  host: string;
  volumeName: string;
  existing?: VolumeSummary;
  containers: RecreateSubject[];
  mountPath: string;
  readOnly: boolean;
}

/** Mounts one named volume into several containers; those that lack it are recreated with the mount. */
export function planShareVolume(request: ShareVolumeRequest): Plan {
  const { host, volumeName, existing, mountPath, readOnly } = request;
  const badName = volumeNameProblem(volumeName);
  if (badName) {
    throw new ConfigError('invalidVolumeName', badName);
  }
  const badPath = mountPathProblem(mountPath);
  if (badPath) {
    throw new ConfigError('invalidMountPath', badPath);
  }
  if (request.containers.length === 0) {
    throw new ConfigError('nothingPicked', 'Pick at least one container to share the volume with.');
  }
  const steps: PlanStep[] = existing ? [] : [{ kind: 'createVolume', name: volumeName, labels: managedLabels('volume') }];
  // Unsaved files of every container are named in one refusal, so one answer covers them all.
  const unsaved: UnsavedChangesError['containers'] = [];
  for (const [index, subject] of request.containers.entries()) {
    const { details } = subject;
    const mounts = (details.raw.Mounts as Array<{ Name?: string; Source: string; Destination: string }> | undefined) ?? [];
    const atPath = mounts.find((mount) => mount.Destination === mountPath);
    if (atPath) {
      if (atPath.Name === volumeName) {
        continue;
      }
      throw new ConfigError('mountPathTaken', `${details.name} already has ${atPath.Name ?? atPath.Source} mounted at ${mountPath}; choose another mount path.`);
    }
    try {
      steps.push(...recreateSteps(subject, { addMounts: [{ Type: 'volume', Source: volumeName, Target: mountPath, ReadOnly: readOnly }] }, `with-volume-${index}`));
    } catch (error) {
      if (!UnsavedChangesError.is(error)) {
        throw error;
      }
      unsaved.push(...error.containers);
    }
  }
  if (unsaved.length > 0) {
    throw new UnsavedChangesError(unsaved);
  }
  return newPlan(host, steps);
}
