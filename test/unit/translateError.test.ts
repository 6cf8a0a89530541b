import * as assert from 'node:assert/strict';
import { DockerApiError, HostError } from '../../src/core/errors';
import { translateApiError, translateConnectError } from '../../src/core/hosts/translateError';

describe('translateError (unit)', () => {
  const errno = (code: string, message = code) => Object.assign(new Error(message), { code });
  const cases: Array<[Error, string]> = [
    [errno('ECONNREFUSED'), 'refused'],
    [errno('ETIMEDOUT'), 'timeout'],
    [Object.assign(new Error('aborted'), { name: 'TimeoutError' }), 'timeout'],
    [errno('EHOSTUNREACH'), 'unreachable'],
    [errno('ENOTFOUND'), 'unreachable'],
    [errno('EACCES'), 'permission'],
    [errno('DEPTH_ZERO_SELF_SIGNED_CERT'), 'tls'],
    [errno('ERR_TLS_CERT_ALTNAME_INVALID'), 'tls'],
    [errno('ECONNRESET'), 'closed'],
  ];
  for (const [error, reason] of cases) {
    it(`maps ${(error as { code?: string }).code ?? error.name} to ${reason}, with advice`, () => {
      const translated = translateConnectError('alpha', 'tcp://h:2376', error);
      assert.ok(HostError.is(translated, reason as never), `got ${translated.reason}`);
      assert.match(translated.message, /^alpha: .+\. \S.+/);
    });
  }

  it('maps engine status codes to DockerApiError with the engine message', () => {
    const notFound = translateApiError(
      'alpha',
      'x',
      Object.assign(new Error('(HTTP code 404) no such container'), { statusCode: 404, json: { message: 'No such container: web' } }),
    );
    assert.ok(DockerApiError.is(notFound, 'notFound'));
    assert.equal(notFound.message, 'alpha: No such container: web');
    assert.ok(DockerApiError.is(translateApiError('a', 'x', Object.assign(new Error('x'), { statusCode: 409 })), 'conflict'));
    assert.ok(DockerApiError.is(translateApiError('a', 'x', Object.assign(new Error('x'), { statusCode: 500 })), 'server'));
  });
});
