import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseHostEntry } from '../../src/core/hosts/hostSpec';
import { effectiveSetting, restrictedModeMessage, restrictedSettings, userSettingsOnly } from '../../src/ui/trustedSettings';

/**
 * package.json's settings schema against the code's validation: the editor flags exactly the
 * entries Crosslink refuses. A tiny validator covers the JSON-schema keywords the manifest uses;
 * one it does not know fails the test, so a new keyword cannot slip past unchecked.
 */
type Schema = Record<string, unknown>;
const known = new Set([
  'type',
  'required',
  'additionalProperties',
  'properties',
  'items',
  'pattern',
  'enum',
  'minimum',
  'maxLength',
  'allOf',
  'if',
  'then',
  'else',
  'default',
  'description',
  'markdownDescription',
  'patternErrorMessage',
  'enumDescriptions',
  'scope',
  'defaultSnippets',
]);

function valid(schema: Schema, value: unknown): boolean {
  for (const key of Object.keys(schema)) {
    assert.ok(known.has(key), `the test's validator does not know "${key}"`);
  }
  const types = schema.type === undefined ? undefined : ([] as string[]).concat(schema.type as string | string[]);
  const typeOf = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
  if (types && !types.includes(typeOf(value))) {
    return false;
  }
  if (schema.enum && !(schema.enum as unknown[]).includes(value)) {
    return false;
  }
  if (typeof value === 'string') {
    if (schema.pattern && !new RegExp(schema.pattern as string).test(value)) {
      return false;
    }
    if (schema.maxLength !== undefined && value.length > (schema.maxLength as number)) {
      return false;
    }
  }
  if (typeof value === 'number' && schema.minimum !== undefined && value < (schema.minimum as number)) {
    return false;
  }
  if (Array.isArray(value) && schema.items && !value.every((item) => valid(schema.items as Schema, item))) {
    return false;
  }
  if (typeOf(value) === 'object') {
    const object = value as Record<string, unknown>;
    const properties = (schema.properties ?? {}) as Record<string, Schema>;
    if (((schema.required ?? []) as string[]).some((key) => !(key in object))) {
      return false;
    }
    for (const [key, inner] of Object.entries(object)) {
      if (properties[key] ? !valid(properties[key], inner) : schema.additionalProperties === false) {
        return false;
      }
    }
  }
  for (const part of (schema.allOf ?? []) as Schema[]) {
    if (!valid(part, value)) {
      return false;
    }
  }
  if (schema.if) {
    const branch = valid(schema.if as Schema, value) ? schema.then : schema.else;
    if (branch && !valid(branch as Schema, value)) {
      return false;
    }
  }
  return true;
}

const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as {
  contributes: { configuration: { properties: Record<string, Schema> } };
  capabilities: { untrustedWorkspaces: { supported: string; restrictedConfigurations: string[] }; virtualWorkspaces: unknown };
};
const settings = manifest.contributes.configuration.properties;

function codeAccepts(entry: unknown): boolean {
  try {
    parseHostEntry(entry, 'settings', { env: {}, homeDir: '/home/u' });
    return true;
  } catch {
    return false;
  }
}

describe('settings schema matches the code (unit)', () => {
  const entries: unknown[] = [
    { name: 'local', url: 'unix:///var/run/docker.sock' },
    { name: 'l', url: 'unix:///' },
    { name: 'colima', url: 'unix://~/.colima/default/docker.sock' },
    { name: 'home', url: 'unix://~' },
    { name: 'a', url: 'unix://~other/docker.sock' },
    { name: 'a', url: 'unix://${env:HOME}/docker.sock' },
    { name: 'win', url: 'npipe:////./pipe/docker_engine' },
    { name: 'win2', url: 'npipe://\\\\.\\pipe\\docker_engine' },
    { name: 'a', url: 'tcp://10.0.0.5:2376', tls: { ca: '~/c/ca.pem', cert: 'c', key: 'k' } },
    { name: 'a', url: 'tcp://h', tls: null },
    { name: 'a', url: 'tcp://h:' },
    { name: 'a', url: 'tcp://h/' },
    { name: 'a', url: 'tcp://h:65535' },
    { name: 'a', url: 'tcp://h:02375' },
    { name: 'a', url: 'tcp://[fd00::5]:2375' },
    { name: 'a', url: '  tcp://h:2375  ' },
    { name: 'a', url: 'tcp://h', tls: {} },
    { name: 'b', url: 'ssh://deploy@staging:2222', identityFile: '~/.ssh/id', address: '10.0.0.9' },
    { name: 'b', url: 'ssh://staging/run/podman/podman.sock' },
    { name: 'b', url: 'ssh://u@[fd00::1]' },
    { name: 'b', url: 'unix:///s', identityFile: '' },
    { name: 'b+c_d.e-f', url: 'ssh://h' },
    { name: 'x'.repeat(63), url: 'ssh://h' },
    // Refused by both:
    { name: 'x'.repeat(64), url: 'ssh://h' },
    { name: '-a', url: 'ssh://h' },
    { name: 'a/b', url: 'ssh://h' },
    { name: '', url: 'ssh://h' },
    { name: 'a' },
    { url: 'ssh://h' },
    { name: 'a', url: 'ssh://h', extra: 1 },
    { name: 'a', url: 7 },
    { name: 1, url: 'ssh://h' },
    { name: 'a', url: 'TCP://h' },
    { name: 'a', url: 'http://h:2375' },
    { name: 'a', url: 'h:2375' },
    { name: 'a', url: 'unix://relative.sock' },
    { name: 'a', url: 'npipe://docker_engine' },
    { name: 'a', url: 'tcp://h:0' },
    { name: 'a', url: 'tcp://h:65536' },
    { name: 'a', url: 'tcp://h:abc' },
    { name: 'a', url: 'tcp://u@h' },
    { name: 'a', url: 'tcp://h/path' },
    { name: 'a', url: 'tcp://' },
    { name: 'a', url: 'tcp://a b' },
    { name: 'a', url: 'ssh://u:pw@h' },
    { name: 'a', url: 'ssh://h/s?x=1' },
    { name: 'a', url: 'ssh://h#frag' },
    { name: 'a', url: 'tcp://h', identityFile: '/k' },
    { name: 'a', url: 'ssh://h', tls: {} },
    { name: 'a', url: 'unix:///s', tls: { ca: 'c' } },
    { name: 'a', url: 'tcp://h', tls: 'yes' },
    { name: 'a', url: 'tcp://h', tls: { ca: 1 } },
    { name: 'a', url: 'ssh://h', identityFile: 3 },
    { name: 'a', url: 'ssh://h', address: false },
    'ssh://h',
    null,
  ];
  const itemSchema = settings['crosslink.hosts'].items as Schema;
  for (const entry of entries) {
    it(`${JSON.stringify(entry)}: schema and parseHostEntry agree`, () => {
      assert.equal(valid(itemSchema, entry), codeAccepts(entry));
    });
  }

  it('has both kinds of rows', () => {
    assert.ok(entries.filter(codeAccepts).length >= 15 && entries.filter((entry) => !codeAccepts(entry)).length >= 25);
  });

  it('health check interval: the schema allows what the reader keeps', () => {
    const schema = settings['crosslink.links.healthCheckInterval'];
    for (const [value, kept] of [
      [0, true],
      [30, true],
      [0.5, true],
      [-1, false],
      ['30', false],
    ] as const) {
      assert.equal(valid(schema, value), kept, String(value));
    }
  });

  it('gives every setting a scope and a markdownDescription', () => {
    for (const [key, schema] of Object.entries(settings)) {
      assert.ok(['machine', 'machine-overridable', 'application', 'window', 'resource'].includes(schema.scope as string), `${key} has a scope`);
      assert.ok(typeof schema.markdownDescription === 'string', `${key} has a markdownDescription`);
    }
  });

  it('restricts in Restricted Mode exactly the settings the readers treat as restricted', () => {
    assert.equal(manifest.capabilities.untrustedWorkspaces.supported, 'limited');
    assert.deepEqual([...manifest.capabilities.untrustedWorkspaces.restrictedConfigurations].sort(), restrictedSettings.map((key) => `crosslink.${key}`).sort());
    assert.notEqual(manifest.capabilities.virtualWorkspaces, undefined);
  });
});

describe('settings in Restricted Mode (unit)', () => {
  const user = [{ name: 'mine', url: 'ssh://me@box' }];
  const folder = [{ name: 'theirs', url: 'tcp://evil:2375' }];

  it('untrusted: a restricted setting keeps the user value and ignores the workspace and folder ones', () => {
    const inspected = { defaultValue: [], globalValue: user, workspaceValue: folder, workspaceFolderValue: folder };
    assert.deepEqual(effectiveSetting('hosts', inspected, false), user);
    assert.deepEqual(effectiveSetting('hosts', { defaultValue: [], workspaceValue: folder }, false), []);
    assert.equal(effectiveSetting('ambassadorImage', { defaultValue: 'alpine/socat:latest', workspaceValue: 'evil/image' }, false), 'alpine/socat:latest');
    assert.equal(effectiveSetting('tunnels.localAddress', { defaultValue: 'localhost', workspaceValue: 'allInterfaces' }, false), 'localhost');
  });

  it('trusted: the usual precedence, folder over workspace over user', () => {
    assert.deepEqual(effectiveSetting('hosts', { defaultValue: [], globalValue: user, workspaceValue: folder }, true), folder);
    assert.deepEqual(effectiveSetting('hosts', { defaultValue: [], globalValue: user }, true), user);
  });

  it('untrusted: a setting that is not restricted still follows the workspace', () => {
    assert.equal(effectiveSetting('links.healthCheckInterval', { defaultValue: 30, workspaceValue: 0 }, false), 0);
  });

  it('untrusted: commands name the restricted settings they read from user settings only; trusted, none', () => {
    assert.deepEqual(userSettingsOnly(['hosts', 'includeDockerContexts'], false), ['crosslink.hosts', 'crosslink.includeDockerContexts']);
    assert.deepEqual(userSettingsOnly(['tunnels.localAddress', 'links.healthCheckInterval'], false), ['crosslink.tunnels.localAddress']);
    assert.equal(userSettingsOnly(['links.healthCheckInterval'], false), undefined);
    assert.equal(userSettingsOnly(['hosts'], true), undefined);
    assert.match(restrictedModeMessage(['crosslink.hosts']), /crosslink\.hosts is taken from your user settings only/);
  });
});
