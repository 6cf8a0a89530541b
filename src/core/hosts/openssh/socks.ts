import * as net from 'node:net';
import type { Duplex } from 'node:stream';

/**
 * A SOCKS5 CONNECT through ssh's `-D` listener on loopback (Windows, where there is no ControlMaster):
 * no authentication, the target as an IP. ssh answers after its channel open, so a refused target
 * fails here with the reply code instead of as an accepted connection that closes.
 */
export function socksConnect(proxyHost: string, proxyPort: number, ip: string, port: number): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: proxyHost, port: proxyPort, allowHalfOpen: true });
    let stage: 'greeting' | 'connect' = 'greeting';
    let buffered = Buffer.alloc(0);
    const fail = (error: Error) => {
      socket.destroy();
      reject(error);
    };
    socket.once('error', fail);
    socket.once('connect', () => socket.write(Buffer.from([5, 1, 0])));
    const onData = (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      if (stage === 'greeting') {
        if (buffered.length < 2) {
          return;
        }
        if (buffered[0] !== 5 || buffered[1] !== 0) {
          fail(new Error('the SOCKS listener of ssh refused the greeting'));
          return;
        }
        buffered = buffered.subarray(2);
        stage = 'connect';
        socket.write(connectRequest(ip, port));
      }
      const replyLength = socksReplyLength(buffered);
      if (replyLength === undefined || buffered.length < replyLength) {
        return;
      }
      socket.removeListener('data', onData);
      socket.removeListener('error', fail);
      if (buffered[1] !== 0) {
        fail(Object.assign(new Error(`ssh could not open a channel to ${ip}:${port} (SOCKS reply ${buffered[1]})`), { reason: buffered[1] }));
        return;
      }
      const rest = buffered.subarray(replyLength);
      if (rest.length > 0) {
        socket.unshift(rest);
      }
      resolve(socket);
    };
    socket.on('data', onData);
  });
}

export function connectRequest(ip: string, port: number): Buffer {
  const v4 = net.isIPv4(ip);
  const address = v4 ? Buffer.from(ip.split('.').map(Number)) : ipv6Bytes(ip);
  const portBytes = Buffer.alloc(2);
  portBytes.writeUInt16BE(port);
  return Buffer.concat([Buffer.from([5, 1, 0, v4 ? 1 : 4]), address, portBytes]);
}

/** VER REP RSV ATYP ADDR PORT; undefined until ATYP (and a domain's length) arrived. */
function socksReplyLength(reply: Buffer): number | undefined {
  if (reply.length < 5) {
    return undefined;
  }
  const addressLength = reply[3] === 1 ? 4 : reply[3] === 4 ? 16 : 1 + reply[4];
  return 4 + addressLength + 2;
}

function ipv6Bytes(ip: string): Buffer {
  const [head, tail = ''] = ip.split('::');
  const groups = (text: string) => (text ? text.split(':') : []);
  const missing = 8 - groups(head).length - groups(tail).length;
  const all = [...groups(head), ...Array<string>(ip.includes('::') ? missing : 0).fill('0'), ...groups(tail)];
  const bytes = Buffer.alloc(16);
  all.forEach((group, index) => bytes.writeUInt16BE(parseInt(group, 16), index * 2));
  return bytes;
}
