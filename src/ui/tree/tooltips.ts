import * as vscode from 'vscode';
import { errorMessage } from '../../core/errors';
import type { HostDirectory } from '../../core/hosts/hostDirectory';
import type { ContainerDetails, ContainerSummary } from '../../core/types';
import { containerFacts } from '../../core/model/containerFacts';

/** Markdown tooltip for a container: networks with IPs and aliases, ports, links (from inspect). */
export async function containerTooltip(model: HostDirectory, hostName: string, summary: ContainerSummary): Promise<vscode.MarkdownString> {
  let details: ContainerDetails | undefined;
  let problem: string | undefined;
  try {
    details = await model.client(hostName)?.inspectContainer(summary.id);
  } catch (error) {
    problem = errorMessage(error);
  }
  const tooltip = new vscode.MarkdownString(undefined, true);
  tooltip.appendMarkdown(`**${summary.name}** on ${hostName}\n\n`);
  for (const line of containerFacts(details ?? summary)) {
    tooltip.appendMarkdown(`- ${line}\n`);
  }
  if (problem) {
    tooltip.appendMarkdown(`\n_Details unavailable: ${problem}_\n`);
  }
  return tooltip;
}
