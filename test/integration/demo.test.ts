import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as http from 'node:http';
import * as path from 'node:path';
import { CrossLinkOperations } from '../../src/core/ambassadors/crossLinkOperations';
import { TunnelManager } from '../../src/core/forwarding/tunnelManager';
import { docker, removeContainer, repoRoot, testbedHost } from '../support/testbed';
import { testProvenance } from '../support/provenance';
import { waitFor } from '../support/waitFor';
import { RecordingLogger, newModel, settingFor, specs, testbed, uniqueName } from './harness';

interface Demo {
  demoServer: string;
  demoClient: string;
  demoPort: number;
}

/** The scripts `npm start` runs, read from scripts/demo.mjs (an ES module) through a child node. */
function readDemo(): Demo {
  const module = path.join(repoRoot, 'scripts', 'demo.mjs');
  const script = `import * as demo from ${JSON.stringify(module)}; process.stdout.write(JSON.stringify(demo));`;
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' })) as Demo;
}

const alphaHost = testbedHost(testbed, 'alpha', 0);
const betaHost = testbedHost(testbed, 'beta', 1);

describe('The npm start demo (integration)', function () {
  this.timeout(120_000);
  const demo = readDemo();
  const logger = new RecordingLogger();
  const { model } = newModel(logger);
  const provenance = testProvenance();
  const operations = new CrossLinkOperations(model, logger, () => testbed.images.socat, provenance);
  const tunnels = new TunnelManager(model, { logger, provenance });
  const server = uniqueName('demo-database');
  const client = uniqueName('demo-web');
  const logs = () => docker(alphaHost, ['logs', client]);

  before(async () => {
    await model.setHosts(specs(settingFor('alpha'), settingFor('beta')));
    const run = (host: typeof alphaHost, name: string, script: string, extra: string[] = []) =>
      docker(host, ['run', '-d', '--pull', 'never', '--stop-timeout', '1', '--name', name, ...extra, testbed.images.fixture, 'sh', '-c', script]);
    run(betaHost, server, demo.demoServer, ['--expose', String(demo.demoPort)]);
    run(alphaHost, client, demo.demoClient);
    await model.refresh();
  });

  after(async () => {
    tunnels.dispose();
    for (const link of await operations.list()) {
      if (link.client.container === client) {
        await operations.remove(link).catch(() => undefined);
      }
    }
    removeContainer(alphaHost, client);
    removeContainer(betaHost, server);
    model.dispose();
  });

  afterEach(function () {
    if (this.currentTest?.state === 'failed') {
      console.log(logger.lines.slice(-40).join('\n'));
      console.log(logs());
    }
  });

  it('the client waits for "api" until linked across hosts, then logs the server\'s answers', async () => {
    await waitFor(() => /waiting for api/.test(logs()), 'the client to say it waits', 10_000);
    // Another test may hold the demo port on beta; the planner then names a free one.
    const args = { client: `alpha/${client}`, target: `beta/${server}`, port: demo.demoPort, alias: 'api' };
    await operations.link(args).catch((error: { reason?: string; suggestedPort?: number }) => {
      if (error.reason !== 'portInUse' || !error.suggestedPort) {
        throw error;
      }
      return operations.link({ ...args, publish: error.suggestedPort });
    });
    await waitFor(() => /api answered: hello from database on beta: request #\d+ \(GET \/\)/.test(logs()), "an answer in the client's logs", 20_000);
  });

  it('a tunnel to the server answers HTTP on localhost, as a browser would ask', async () => {
    const info = await tunnels.open({ host: 'beta', container: server, port: demo.demoPort, localPort: 0 });
    const body = await new Promise<string>((resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port: info.localPort, path: '/', agent: false, headers: { 'User-Agent': 'Mozilla/5.0', Accept: 'text/html' } }, (response) => {
          let text = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => (text += chunk));
          response.on('end', () => (response.statusCode === 200 ? resolve(text) : reject(new Error(`HTTP ${response.statusCode}`))));
        })
        .on('error', reject);
    });
    assert.match(body, /^hello from database on beta: request #\d+ \(GET \/\) at \d\d:\d\d:\d\d\n$/);
  });
});
