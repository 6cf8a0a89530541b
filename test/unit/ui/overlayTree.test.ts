import '../fakes/vscodeStub';
import * as assert from 'node:assert/strict';
import { silentLogger } from '../../../src/core/like';
import { ContainersTreeProvider } from '../../../src/ui/tree/containersTree';
import { ContainerNode, type TreeNode, OverlayLinkNode } from '../../../src/ui/tree/treeNodes';
import type { CommandContext } from '../../../src/ui/commands/commandContext';
import { removeCrossLinkCommand } from '../../../src/ui/commands/removeCrossLink';
import { switchCrossLinkCommand } from '../../../src/ui/commands/switchCrossLink';
import { verifyLinkCommand } from '../../../src/ui/commands/verifyLink';
import { container } from '../fakes/fakeDockerClient';
import { waitFor } from '../../support/waitFor';
import { link, network, onOverlay, overlayScene } from '../fakes/overlayScene';
import { ScriptedPrompter } from '../fakes/scriptedPrompter';

const quiet = { dispose: () => undefined };

interface Item {
  label: string;
  id?: string;
  description?: string;
  contextValue?: string;
  collapsibleState?: number;
  tooltip?: { value: string };
}

describe('overlay links in the Containers tree (unit)', () => {
  function treeOf(scene: ReturnType<typeof overlayScene>): ContainersTreeProvider {
    return new ContainersTreeProvider(
      scene.hosts as never,
      { onDidChange: () => quiet, get: () => undefined } as never,
      { onDidChange: () => quiet, onDidChangeCounters: () => quiet, list: () => [], get: () => undefined } as never,
      { knownEngineId: () => 'engine', engineIdOf: async () => 'engine', isOurs: () => true } as never,
      { onDidChange: () => quiet, forContainer: () => undefined } as never,
      scene.listing,
    );
  }
  const children = async (tree: ContainersTreeProvider, host: string, id: string) => tree.getChildren(new ContainerNode(host, id));
  const items = (tree: ContainersTreeProvider, nodes: TreeNode[]) =>
    nodes.filter((node) => node instanceof OverlayLinkNode).map((node) => tree.getTreeItem(node) as unknown as Item);

  it('shows the link under its client and its target, with the state the model shows, and redraws when the links change', async () => {
    const scene = overlayScene(false);
    const tree = treeOf(scene);
    const redraws: unknown[] = [];
    tree.onDidChangeTreeData((nodes) => redraws.push(nodes));
    try {
      await scene.listing.refresh();
      assert.deepEqual(items(tree, await children(tree, 'beta', 'a1')), []);

      // The link made: the listing changes, and the tree redraws.
      scene.beta.containers.set('a1', container('a1', 'app', { networks: onOverlay }));
      scene.alpha.containers.set('o1', container('o1', 'oracle', { networks: onOverlay }));
      scene.source.links = [link];
      await scene.listing.refresh();
      await waitFor(() => redraws.length >= 1, 'a changed listing to redraw the tree', 2_000);

      const [client] = items(tree, await children(tree, 'beta', 'a1'));
      assert.equal(client.label, '→ oracle on alpha:1521');
      assert.equal(client.description, `as db · overlay network ${network} · ok`);
      assert.equal(client.contextValue, 'overlayLink.ok');
      assert.equal(client.id, 'overlaylink:client:net-1');
      assert.match(client.tooltip!.value, /reaches \*\*alpha\/oracle:1521\*\* as `db:1521`/);
      const [target] = items(tree, await children(tree, 'alpha', 'o1'));
      assert.equal(target.label, '← app on beta');
      assert.equal(target.id, 'overlaylink:target:net-1');

      // The target stops: the same node now draws broken, from the model alone.
      scene.alpha.containers.set('o1', container('o1', 'oracle', { state: 'exited', networks: onOverlay }));
      const [broken] = items(tree, await children(tree, 'beta', 'a1'));
      assert.equal(broken.description, `as db · overlay network ${network} · broken`);
      assert.equal(broken.contextValue, 'overlayLink.broken');
      assert.match(broken.tooltip!.value, /the target oracle is exited/);
    } finally {
      tree.dispose();
      scene.listing.dispose();
    }
  });

  it('a container whose only link is an overlay link can be expanded; a link this installation did not make says so', async () => {
    const scene = overlayScene();
    scene.source.links = [{ ...link, origin: 'foreign' }];
    const tree = treeOf(scene);
    try {
      await scene.listing.refresh();
      const row = tree.getTreeItem(new ContainerNode('beta', 'a1')) as unknown as Item;
      assert.equal(row.collapsibleState, 1, 'collapsed, not a leaf');
      const [client] = items(tree, await children(tree, 'beta', 'a1'));
      assert.equal(client.contextValue, 'overlayLink.ok.foreign');
      assert.match(client.description!, / · not created here$/);
    } finally {
      tree.dispose();
      scene.listing.dispose();
    }
  });

  describe('its menu commands, started on the node', () => {
    const node = new OverlayLinkNode(link, 'client');
    const context = (formedHere: boolean) =>
      ({
        overlay: { membership: async () => ({ state: 'active', clusterId: 'cluster-1' }), formedHere: (id: string) => formedHere && id === 'cluster-1' },
      }) as unknown as CommandContext;

    it('Remove Link asks once, and offers Leave Swarm only for a Swarm Crosslink formed', async () => {
      const ui = new ScriptedPrompter([
        {
          kind: 'confirm',
          title: /^Remove the overlay link app on beta → db/,
          answer: (options: { actions: string[] }) => (assert.deepEqual(options.actions, ['Remove Link', 'Remove Link and Leave Swarm']), 'Remove Link and Leave Swarm'),
        },
      ]);
      assert.deepEqual(await removeCrossLinkCommand.prompt(ui, context(true), node), { client: 'beta/app', alias: 'db', leaveSwarm: true });
      ui.done();
      const notFormed = new ScriptedPrompter([
        { kind: 'confirm', title: /^Remove the overlay link/, answer: (options: { actions: string[] }) => (assert.deepEqual(options.actions, ['Remove Link']), 'Remove Link') },
      ]);
      assert.deepEqual(await removeCrossLinkCommand.prompt(notFormed, context(false), node), { client: 'beta/app', alias: 'db', leaveSwarm: false });
      const escaped = new ScriptedPrompter([{ kind: 'confirm', title: /^Remove the overlay link/, answer: () => undefined }]);
      assert.equal(await removeCrossLinkCommand.prompt(escaped, context(true), node), undefined);
    });

    it('Switch asks to move it onto ambassadors; Verify checks it over its network', async () => {
      const ui = new ScriptedPrompter([{ kind: 'confirm', title: /onto ambassadors\?$/, answer: () => 'Switch to Ambassadors' }]);
      assert.deepEqual(await switchCrossLinkCommand.prompt(ui, context(false), node), { client: 'beta/app', alias: 'db', to: 'ambassadors' });
      ui.done();
      const none = new ScriptedPrompter([]);
      const request = await verifyLinkCommand.prompt(none, context(false), node);
      assert.deepEqual(request, { client: 'beta/app', alias: 'db', port: 1521, overlay: link });
      none.done();
      const checked: unknown[] = [];
      const result = { ok: true, hops: [], message: 'db answers on port 1521' };
      const verifying = { overlay: { verify: async (asked: unknown) => (checked.push(asked), result) }, logger: silentLogger } as unknown as CommandContext;
      assert.equal((await verifyLinkCommand.run(verifying, request!, undefined as never)).result, result);
      assert.deepEqual(checked, [link], 'the overlay check, not an ambassador link of the same alias');
    });
  });
});
