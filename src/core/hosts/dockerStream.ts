import { Transform, type TransformCallback } from 'node:stream';

/** One piece of a container's output, with the stream it came from (stderr may be shown differently). */
export interface OutputChunk {
  stream: 'stdout' | 'stderr';
  data: Buffer;
}

const headerLength = 8;
const streamKinds: Record<number, OutputChunk['stream']> = { 0: 'stdout', 1: 'stdout', 2: 'stderr' };

/**
 * Docker multiplexes stdout and stderr of a container without a TTY into one stream of frames:
 * an 8-byte header (stream type, three zero bytes, payload length as big-endian uint32) and the
 * payload. Frames arrive split across chunks and several per chunk, so bytes are kept until a
 * whole frame is there. Emits OutputChunk objects.
 */
export class DockerStreamDemuxer extends Transform {
  private pending: Buffer = Buffer.alloc(0);

  constructor() {
    super({ readableObjectMode: true });
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    while (this.pending.length >= headerLength) {
      const size = this.pending.readUInt32BE(4);
      if (this.pending.length < headerLength + size) {
        break;
      }
      const data = this.pending.subarray(headerLength, headerLength + size);
      // An unknown stream type (a newer engine's) is still output the user wants to see.
      this.push({ stream: streamKinds[this.pending[0]] ?? 'stdout', data } satisfies OutputChunk);
      this.pending = this.pending.subarray(headerLength + size);
    }
    callback();
  }

  override _flush(callback: TransformCallback): void {
    // A stream cut mid-frame (the container went away): show what arrived rather than drop it.
    if (this.pending.length > headerLength) {
      this.push({ stream: streamKinds[this.pending[0]] ?? 'stdout', data: this.pending.subarray(headerLength) } satisfies OutputChunk);
    }
    callback();
  }
}

/** A TTY's output is one raw stream (stderr is merged by the terminal); wrap it in the same chunk shape. */
export class RawStreamChunker extends Transform {
  constructor() {
    super({ readableObjectMode: true });
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    callback(null, { stream: 'stdout', data: chunk } satisfies OutputChunk);
  }
}
