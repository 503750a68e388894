// Per-node times from ONNX Runtime's own profiler, to set beside
// `interstage-cli run --json`'s nodes: which layers we lose on.
//   node bench/ort_profile.mjs MODEL [--threads N] [--runs N] [--input NAME=DIMS]
// Prints one line per node: median ms over runs 2..N, op, name (ORT's
// names after its graph optimizations: fused nodes carry the first name).
import ort from 'onnxruntime-node';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const argv = process.argv.slice(2);
const o = { threads: 2, runs: 11, inputs: {}, model: null };
for (let i = 0; i < argv.length; ++i) {
  if (argv[i] === '--threads') o.threads = Number(argv[++i]);
  else if (argv[i] === '--runs') o.runs = Number(argv[++i]);
  else if (argv[i] === '--input') {
    const [name, dims] = argv[++i].split('=');
    o.inputs[name] = dims.split('x').map(Number);
  } else o.model = argv[i];
}
const prefix = path.join(os.tmpdir(), `ort-profile-${process.pid}`);
const session = await ort.InferenceSession.create(o.model, {
  intraOpNumThreads: o.threads, interOpNumThreads: 1, executionMode: 'sequential',
  graphOptimizationLevel: 'all', enableProfiling: true, profileFilePrefix: prefix,
});
const feeds = {};
for (const name of session.inputNames) {
  const dims = o.inputs[name];
  if (!dims) throw new Error(`give --input ${name}=DIMS`);
  const n = dims.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  for (let i = 0; i < n; ++i) data[i] = ((i * 7) % 256) / 255 - 0.5;
  feeds[name] = new ort.Tensor('float32', data, dims);
}
for (let r = 0; r < o.runs; ++r) await session.run(feeds);
session.endProfiling();
const file = fs.readdirSync(os.tmpdir()).map((f) => path.join(os.tmpdir(), f)).find((f) => f.startsWith(prefix));
const events = JSON.parse(fs.readFileSync(file, 'utf8'));
fs.unlinkSync(file);
const perNode = new Map();  // name -> {op, times per run}
let run = -1;
for (const e of events) {
  if (e.cat === 'Session' && e.name === 'model_run') ++run;
  if (e.cat !== 'Node' || !e.name.endsWith('_kernel_time') || run < 1) continue;
  const name = e.name.slice(0, -'_kernel_time'.length);
  if (!perNode.has(name)) perNode.set(name, { op: e.args.op_name, ms: [] });
  perNode.get(name).ms.push(e.dur / 1000);
}
const median = (v) => [...v].sort((a, b) => a - b)[Math.floor((v.length - 1) / 2)];
let total = 0;
for (const [name, n] of perNode) {
  const m = median(n.ms);
  total += m;
  console.log(`${m.toFixed(3).padStart(8)}  ${n.op.padEnd(22)} ${name}`);
}
console.log(`${total.toFixed(3).padStart(8)}  total of nodes`);
