/** Node-only: reads a folder of repertoire files (one file per repertoire) and a metadata table. */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { type ParseOptions, parseRepertoireTsv, type Repertoire, RepertoireFormatError } from './repertoire';

export interface RepertoireFolderOptions extends ParseOptions {
  /** Metadata TSV with one row per repertoire (DeepRC layout: `ID` and a label column). */
  metadataFile?: string;
  /** Metadata column with the repertoire file name or id. Default 'ID'. */
  idColumn?: string;
  /** Metadata column with the label. Default 'label'. */
  labelColumn?: string;
  /** Repertoire file extension. Default '.tsv'. */
  extension?: string;
}

export interface LoadedRepertoire extends Repertoire {
  id: string;
  label?: string;
}

/** Loads every `*.tsv` repertoire in `folder` (sorted by name), with labels from the metadata file. */
export function loadRepertoireFolder(folder: string, o: RepertoireFolderOptions = {}): LoadedRepertoire[] {
  const ext = o.extension ?? '.tsv';
  const files = readdirSync(folder)
    .filter(
      (f) => f.endsWith(ext) && join(folder, f) !== o.metadataFile && f !== basename(o.metadataFile ?? ''),
    )
    .sort();
  if (files.length === 0)
    throw new RepertoireFormatError(`folder: expected ${ext} repertoire files in ${folder}, received none`);
  let labels: Map<string, string> | null = null;
  if (o.metadataFile) {
    const meta = readFileSync(o.metadataFile, 'utf8').split(/\r?\n/).filter(Boolean);
    const header = meta[0].split('\t').map((h) => h.trim());
    const idCol = header.indexOf(o.idColumn ?? 'ID');
    const labelCol = header.indexOf(o.labelColumn ?? 'label');
    if (idCol < 0 || labelCol < 0) {
      throw new RepertoireFormatError(
        `metadataFile: expected columns ${o.idColumn ?? 'ID'} and ${o.labelColumn ?? 'label'}, received ${header.join(', ')}`,
      );
    }
    labels = new Map(
      meta
        .slice(1)
        .map((l) => l.split('\t'))
        .map((f) => [f[idCol].replace(ext, ''), f[labelCol]]),
    );
  }
  return files.map((f) => {
    const id = basename(f, extname(f));
    const rep = parseRepertoireTsv(readFileSync(join(folder, f), 'utf8'), { ...o, source: f });
    const label = labels?.get(id);
    if (labels && label === undefined)
      throw new RepertoireFormatError(`metadataFile: expected a row for repertoire ${id}, received none`);
    return { id, ...rep, label };
  });
}
