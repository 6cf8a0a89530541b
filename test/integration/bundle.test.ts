// The shipped bundle stubs dockerode's BuildKit session code (scripts/build.mjs). This bundles the
// Docker client with the very same options and drives, against the testbed's engines (TLS and SSH),
// every kind of Docker call Crosslink makes: a stub that something still reached would fail here.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as esbuildTypes from 'esbuild';
import type { DockerodeClient as DockerodeClientType } from '../../src/core/hosts/dockerodeClient';
import type { DockerEvent } from '../../src/core/types';
import { repoRoot } from '../support/testbed';
import { RecordingLogger, settingFor, specs, tempDir, testbed, testbedSshFiles, uniqueName } from './harness';

const dynamicImport = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<unknown>;

describe('Docker calls from the bundle (BuildKit stubbed)', function () {
  this.timeout(120_000);
  let DockerodeClient: typeof DockerodeClientType;
  let metafile: esbuildTypes.Metafile;
  const outDir = tempDir('crosslink-bundle-');

  before(async () => {
    const esbuild = (await dynamicImport('esbuild')) as typeof esbuildTypes;
    const { bundleOptions } = (await dynamicImport(pathToFileURL(path.join(repoRoot, 'scripts', 'build.mjs')).href)) as { bundleOptions: esbuildTypes.BuildOptions };
    const outfile = path.join(outDir, 'dockerodeClient.js');
    const result = await esbuild.build({
      ...bundleOptions,
      absWorkingDir: repoRoot,
      entryPoints: [path.join(repoRoot, 'src', 'core', 'hosts', 'dockerodeClient.ts')],
      outfile,
      sourcemap: false,
      metafile: true,
    });
    metafile = result.metafile;
    ({ DockerodeClient } = require(outfile) as { DockerodeClient: typeof DockerodeClientType });
  });

  after(() => fs.rmSync(outDir, { recursive: true, force: true }));

  it('holds no gRPC or protobuf code', () => {
    const inputs = Object.keys(metafile.inputs);
    assert.deepEqual(
      inputs.filter((input) => /@grpc|protobufjs|proto-loader/.test(input)),
      [],
    );
    assert.ok(
      inputs.some((input) => input.includes('buildkit-stub')),
      'the stub replaced dockerode/lib/session and buildkit',
    );
  });

  for (const hostName of testbed.settings.map((entry) => entry.name)) {
    it(`${hostName}: version, lists, a container's life with exec, logs and events, networks and volumes`, async () => {
      const [spec] = specs(settingFor(hostName));
      const client = new DockerodeClient(spec, new RecordingLogger(), { callTimeoutMs: 20_000, sshFiles: testbedSshFiles() } as never);
      const name = uniqueName('bundle');
      const events: DockerEvent[] = [];
      const subscription = await client.subscribeEvents({ onEvent: (event) => events.push(event), onClose: () => undefined });
      let id: string | undefined;
      let network: string | undefined;
      try {
        assert.ok((await client.version()).apiVersion);
        assert.ok(await client.engineId());
        assert.ok(Array.isArray(await client.listContainers()));
        assert.ok((await client.listNetworks()).some((candidate) => candidate.name === 'bridge'));
        assert.ok(Array.isArray(await client.listVolumes()));
        assert.equal(await client.imageExists(testbed.images.fixture), true);
        network = await client.createNetwork(name, { labels: { 'crosslink.test': 'bundle' } });
        id = await client.createContainer(name, { Image: testbed.images.fixture, Cmd: ['sh', '-c', 'echo bundled; sleep 60'], StopTimeout: 1 } as never);
        await client.connectNetwork(name, id);
        await client.startContainer(id);
        const details = await client.inspectContainer(id);
        assert.equal(details.name, name);
        const result = await client.exec(id, ['sh', '-c', 'echo from-exec']);
        assert.equal(result.stdout.trim(), 'from-exec');
        const logs = await client.logs(id, { follow: false });
        let text = '';
        for await (const chunk of logs as AsyncIterable<{ data: Buffer }>) text += chunk.data.toString();
        assert.match(text, /bundled/);
        const deadline = Date.now() + 10_000;
        while (!events.some((event) => event.actorId === id && event.action === 'start') && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        assert.ok(
          events.some((event) => event.actorId === id && event.action === 'start'),
          'the start event arrived through the bundled event stream',
        );
      } finally {
        subscription.dispose();
        if (id) await client.removeContainer(id, { force: true });
        if (network) await client.removeNetwork(network);
        client.dispose();
      }
    });
  }
});
