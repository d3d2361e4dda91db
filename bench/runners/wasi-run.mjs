// wasi-run.mjs: runs a wasm32-wasi command module under Node's WASI (V8), for elfrun-bench's
// "from-source Wasm" reference column. Usage: node --no-warnings --no-liftoff wasi-run.mjs prog.wasm [args...]
// (--no-liftoff: V8 does not tier up a running Wasm function, so without it main's loops stay in the baseline.)
// The program's exit status becomes the process's.
import { readFile } from 'node:fs/promises';
import { WASI } from 'node:wasi';
import { argv, env, exit } from 'node:process';

const [file, ...args] = argv.slice(2);
const wasi = new WASI({ version: 'preview1', args: [file, ...args], env, returnOnExit: true });
const module = await WebAssembly.compile(await readFile(file));
const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
exit(wasi.start(instance));
