// HTTP from the test process (extension-host suites included): plain Node APIs only.
import * as http from 'http';

/** GET / on 127.0.0.1:port, without keep-alive; resolves to the trimmed body. */
export function getLocal(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: '/', agent: false }, (response) => {
        let body = '';
        response.on('data', (chunk) => (body += chunk));
        response.on('end', () => resolve(body.trim()));
      })
      .on('error', reject);
  });
}
