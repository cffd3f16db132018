/**
 * Line readers for JSON Lines files that may be large or damaged. Lines are split on the
 * byte 0x0A (which never occurs inside a multi-byte UTF-8 sequence), decoded strictly, and
 * bounded in size, so a hostile or corrupted file cannot exhaust memory.
 */
import * as fsp from 'node:fs/promises';

export const DEFAULT_CHUNK_SIZE = 64 * 1024;
export const MAX_LINE_BYTES = 1024 * 1024;

export interface LineReadOptions {
  chunkSize?: number;
  maxLineBytes?: number;
}

export interface FileLine {
  /** The line's text without its newline; undefined when `problem` is set. */
  text?: string;
  /** Why the line could not be read as text: invalid UTF-8 or too long. */
  problem?: string;
  /** false for a last line that has no newline at its end (an interrupted write). */
  terminated: boolean;
}

export interface NumberedLine extends FileLine {
  /** 1-based, counted from where reading started. */
  lineNo: number;
  /** The byte offset just after this line (after its newline): where the next line starts. */
  next: number;
}

const decoder = new TextDecoder('utf-8', { fatal: true });

/** The bytes of the line being assembled, at most `maxLineBytes` of them (beyond: only that it is too long). */
class LineBytes {
  private parts: Buffer[] = [];
  private length = 0;
  private oversized = false;

  constructor(private readonly maxLineBytes: number) {}

  /** Adds bytes after those held (reading forward), or before them (`before`: reading backward). */
  add(slice: Buffer, before = false): void {
    if (this.oversized || slice.length === 0) return;
    if (this.length + slice.length > this.maxLineBytes) {
      this.oversized = true;
      this.parts = [];
      return;
    }
    if (before) this.parts.unshift(slice);
    else this.parts.push(slice);
    this.length += slice.length;
  }

  get empty(): boolean {
    return this.length === 0 && !this.oversized;
  }

  /** The line held, decoded strictly; the buffer starts over empty. */
  take(terminated: boolean): FileLine {
    const line = this.decode(terminated);
    this.parts = [];
    this.length = 0;
    this.oversized = false;
    return line;
  }

  private decode(terminated: boolean): FileLine {
    if (this.oversized) return { problem: `line is longer than ${this.maxLineBytes} bytes`, terminated };
    try {
      return { text: decoder.decode(this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts)), terminated };
    } catch {
      return { problem: 'line is not valid UTF-8', terminated };
    }
  }
}

/**
 * Reads lines from the start, or from the byte offset `start` (which must be the start of a
 * line: a `next` this reader gave). `end` stops at that byte offset (a size snapshot).
 * A file that ends with a newline has no empty last line. Throws ENOENT like fs does.
 */
export async function* readLinesForward(
  file: string,
  options: LineReadOptions & { start?: number; end?: number } = {},
): AsyncGenerator<NumberedLine> {
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
  const maxLineBytes = options.maxLineBytes ?? MAX_LINE_BYTES;
  const fh = await fsp.open(file, 'r');
  try {
    const size = options.end ?? (await fh.stat()).size;
    const buf = Buffer.alloc(chunkSize);
    let pos = options.start ?? 0;
    let lineNo = 0;
    const line = new LineBytes(maxLineBytes);
    const add = (slice: Buffer) => line.add(Buffer.from(slice)); // a copy: buf is reused
    while (pos < size) {
      const { bytesRead } = await fh.read(buf, 0, Math.min(chunkSize, size - pos), pos);
      if (bytesRead === 0) break; // the file shrank under us
      const chunkStart = pos;
      pos += bytesRead;
      const data = buf.subarray(0, bytesRead);
      let start = 0;
      for (;;) {
        const nl = data.indexOf(0x0a, start);
        if (nl === -1) {
          add(data.subarray(start));
          break;
        }
        add(data.subarray(start, nl));
        yield { lineNo: ++lineNo, next: chunkStart + nl + 1, ...line.take(true) };
        start = nl + 1;
      }
    }
    if (!line.empty) yield { lineNo: ++lineNo, next: pos, ...line.take(false) };
  } finally {
    await fh.close();
  }
}

/**
 * Reads lines from the end, newest first, reading only as much of the file as the caller
 * consumes. An empty file yields nothing; a missing one throws ENOENT like fs does.
 */
export async function* readLinesBackward(file: string, options: LineReadOptions = {}): AsyncGenerator<FileLine> {
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
  const maxLineBytes = options.maxLineBytes ?? MAX_LINE_BYTES;
  const fh = await fsp.open(file, 'r');
  try {
    let pos = (await fh.stat()).size;
    // The line being assembled: its bytes lie after the part of the file read so far.
    const line = new LineBytes(maxLineBytes);
    let seenNewline = false;
    while (pos > 0) {
      const len = Math.min(chunkSize, pos);
      pos -= len;
      const chunk = Buffer.alloc(len); // fresh each time: slices of it are kept
      let read = 0;
      while (read < len) {
        const { bytesRead } = await fh.read(chunk, read, len - read, pos + read);
        if (bytesRead === 0) break;
        read += bytesRead;
      }
      let end = len;
      for (let i = len - 1; i >= 0; i--) {
        if (chunk[i] !== 0x0a) continue;
        line.add(chunk.subarray(i + 1, end), true);
        if (seenNewline) yield line.take(true);
        else if (!line.empty) yield line.take(false);
        seenNewline = true;
        end = i;
      }
      line.add(chunk.subarray(0, end), true);
    }
    // The first line of the file.
    if (seenNewline) yield line.take(true);
    else if (!line.empty) yield line.take(false);
  } finally {
    await fh.close();
  }
}
