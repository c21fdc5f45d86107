/**
 * Artifact selection for `track`: globs (`**`, `*`, `?`, `{a,b}`) relative to the working directory, each
 * of which must match at least one file, and the ONNX signature of `.onnx` artifacts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { UsageError } from '../../../core/errors.ts';
import { globToRegExp } from '../../../core/glob.ts';
import { decodeModel, readSignature } from '../../../onnx/signature.ts';
import type { TensorSpec } from '../../../registry/types.ts';

function walk(dir: string, out: string[], base: string): void {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === '.git' || e.name === 'node_modules') continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p, out, base);
    else if (e.isFile()) out.push(relative(base, p).split(sep).join('/'));
  }
}

/** One selected artifact: its local path and its name in the version (the file's base name). */
export interface SelectedArtifact {
  path: string;
  name: string;
}

/** Expand the globs against `cwd`; a glob matching no file, or two files with one name, is a UsageError. */
export function selectArtifacts(globs: string[], cwd: string): SelectedArtifact[] {
  if (globs.length === 0)
    throw new UsageError(
      "artifacts is required: one or more globs such as 'out/model.onnx' or 'out/**/*.onnx'.",
    );
  const files: string[] = [];
  walk(cwd, files, cwd);
  const picked = new Map<string, SelectedArtifact>();
  for (const g of globs) {
    const rel = isAbsolute(g) ? relative(cwd, g).split(sep).join('/') : g.replace(/^\.\//, '');
    if (rel.startsWith('../'))
      throw new UsageError(
        `artifact glob '${g}' is outside ${cwd}; expected paths inside the working directory.`,
      );
    const re = globToRegExp(rel);
    const matches = files.filter((f) => re.test(f)).sort();
    if (matches.length === 0)
      throw new UsageError(`artifact glob '${g}' matches no file under ${cwd}; expected at least one match.`);
    for (const m of matches) picked.set(m, { path: resolve(cwd, m), name: basename(m) });
  }
  const byName = new Map<string, string>();
  for (const [file, a] of picked) {
    const other = byName.get(a.name);
    if (other !== undefined)
      throw new UsageError(
        `artifacts '${other}' and '${file}' would both be named '${a.name}' in the version (track names each artifact by its file name); narrow the globs so they select one of them, or rename one file.`,
      );
    byName.set(a.name, file);
  }
  return [...picked.values()];
}

/** The signature of the first `.onnx` artifact (every `.onnx` must decode), or undefined when there is none. */
export function onnxSignature(
  artifacts: SelectedArtifact[],
): { inputs: TensorSpec[]; outputs: TensorSpec[] } | undefined {
  let first: { inputs: TensorSpec[]; outputs: TensorSpec[] } | undefined;
  for (const a of artifacts.filter((x) => x.name.toLowerCase().endsWith('.onnx'))) {
    const sig = readSignature(decodeModel(readFileSync(a.path), `artifact '${a.name}'`));
    first ??= { inputs: sig.inputs, outputs: sig.outputs };
  }
  return first;
}
