#!/usr/bin/env node
// The stricter typecheck of the UI, the bridge and the worker (`npm run typecheck` runs it after the base check):
// tsconfig.strict.json adds noUncheckedIndexedAccess. That option applies to every file of a program, and those
// folders import src/core, which stays on the base config (docs/architecture.md), so this reports only the
// diagnostics of files under tsconfig.strict.json's `include`.
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const configPath = join(root, 'tsconfig.strict.json');
const read = ts.readConfigFile(configPath, ts.sys.readFile);
if (read.error) fail([read.error]);
const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, root, undefined, configPath);
if (parsed.errors.length) fail(parsed.errors);

const program = ts.createProgram({ rootNames: parsed.fileNames, options: parsed.options });
const own = new Set(parsed.fileNames.map((f) => ts.sys.resolvePath(f)));
const diagnostics = [
  ...program.getOptionsDiagnostics(),
  ...program
    .getSourceFiles()
    .filter((sf) => own.has(ts.sys.resolvePath(sf.fileName)))
    .flatMap((sf) => [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)]),
];
if (diagnostics.length) fail(diagnostics);
console.log(`tsconfig.strict.json: ${own.size} files, no errors`);

function fail(list) {
  const host = { getCanonicalFileName: (f) => f, getCurrentDirectory: () => root, getNewLine: () => '\n' };
  const format = process.stderr.isTTY ? ts.formatDiagnosticsWithColorAndContext : ts.formatDiagnostics;
  console.error(format(list, host));
  console.error(`${relative(root, configPath)}: ${list.length} error(s)`);
  process.exit(1);
}
