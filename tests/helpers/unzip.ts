// Reads a ZIP archive back for tests, independently of src/: the end record, the central directory, each local
// header, zlib's inflateRaw and zlib's own CRC-32. Throws on anything inconsistent.
import { crc32, inflateRawSync } from "node:zlib";

export interface UnzippedEntry {
  name: string;
  method: number;
  flags: number;
  data: Buffer;
}

export function unzip(archive: Buffer): Map<string, UnzippedEntry> {
  const endAt = archive.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (endAt < 0 || endAt + 22 > archive.length) throw new Error("no end of central directory record");
  const count = archive.readUInt16LE(endAt + 10);
  const dirSize = archive.readUInt32LE(endAt + 12);
  const dirOffset = archive.readUInt32LE(endAt + 16);
  if (dirOffset + dirSize !== endAt) throw new Error("central directory does not end where the end record starts");
  const entries = new Map<string, UnzippedEntry>();
  let at = dirOffset;
  for (let i = 0; i < count; i++) {
    if (archive.readUInt32LE(at) !== 0x02014b50) throw new Error(`bad central header ${i}`);
    const flags = archive.readUInt16LE(at + 8);
    const method = archive.readUInt16LE(at + 10);
    const crc = archive.readUInt32LE(at + 16);
    const packedSize = archive.readUInt32LE(at + 20);
    const size = archive.readUInt32LE(at + 24);
    const nameLength = archive.readUInt16LE(at + 28);
    const extraLength = archive.readUInt16LE(at + 30);
    const commentLength = archive.readUInt16LE(at + 32);
    const localAt = archive.readUInt32LE(at + 42);
    const name = archive.subarray(at + 46, at + 46 + nameLength).toString("utf8");
    at += 46 + nameLength + extraLength + commentLength;

    if (archive.readUInt32LE(localAt) !== 0x04034b50) throw new Error(`bad local header for ${name}`);
    const localNameBytes = archive.readUInt16LE(localAt + 26);
    const localName = archive.subarray(localAt + 30, localAt + 30 + localNameBytes).toString("utf8");
    if (localName !== name) throw new Error(`local name ${localName} differs from ${name}`);
    if (archive.readUInt32LE(localAt + 14) !== crc || archive.readUInt32LE(localAt + 18) !== packedSize)
      throw new Error(`local header of ${name} differs`);
    const dataAt = localAt + 30 + localNameBytes + archive.readUInt16LE(localAt + 28);
    const packed = archive.subarray(dataAt, dataAt + packedSize);
    const data = method === 8 ? inflateRawSync(packed) : method === 0 ? Buffer.from(packed) : null;
    if (!data) throw new Error(`unsupported method ${method} for ${name}`);
    if (data.length !== size) throw new Error(`size of ${name}: ${data.length} != ${size}`);
    if (crc32(data) !== crc) throw new Error(`CRC of ${name} does not match`);
    entries.set(name, { name, method, flags, data });
  }
  if (at !== endAt) throw new Error("central directory size mismatch");
  return entries;
}

/** The text of every inline-string and numeric cell of a worksheet, by reference (A1 → value). */
export function sheetCells(xml: string): Map<string, string> {
  const cells = new Map<string, string>();
  for (const m of xml.matchAll(/<c r="([A-Z]+\d+)"[^>]*>(.*?)<\/c>/g)) {
    const inline = /<t[^>]*>(.*?)<\/t>/.exec(m[2]!);
    const value = /<v>(.*?)<\/v>/.exec(m[2]!);
    const raw = inline ? inline[1]! : value ? value[1]! : "";
    cells.set(
      m[1]!,
      raw
        .replace(/&lt;/g, "<")
        .replace(/&gt;/g, ">")
        .replace(/&quot;/g, '"')
        .replace(/&amp;/g, "&"),
    );
  }
  return cells;
}
