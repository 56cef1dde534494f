// Node file access, loaded lazily so that the parsing functions also work in browsers.

export async function readBytes(path: string): Promise<Uint8Array> {
  const fs = await import('node:fs/promises');
  return new Uint8Array(await fs.readFile(path));
}

export async function readText(path: string): Promise<string> {
  const fs = await import('node:fs/promises');
  return fs.readFile(path, 'utf8');
}

export async function writeText(path: string, text: string): Promise<void> {
  const fs = await import('node:fs/promises');
  const { dirname } = await import('node:path');
  await fs.mkdir(dirname(path), { recursive: true });
  await fs.writeFile(path, text, 'utf8');
}

export async function listDir(path: string): Promise<string[]> {
  const fs = await import('node:fs/promises');
  return (await fs.readdir(path)).sort();
}
