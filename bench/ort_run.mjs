// Runs a model with ONNX Runtime (CPU) the way `interstage-cli run` does:
// same deterministic input, same thread count, one line per run.
//   node bench/ort_run.mjs MODEL [--threads N] [--runs N] [--input NAME=DIMS]...
//        [--save-outputs DIR] [--json FILE]
import fs from 'node:fs';
import path from 'node:path';
import ort from 'onnxruntime-node';

function parseArgs(argv) {
  const o = { threads: 2, runs: 1, inputs: {}, model: null, saveOutputs: null, json: null };
  for (let i = 0; i < argv.length; ++i) {
    const a = argv[i];
    if (a === '--threads') o.threads = Number(argv[++i]);
    else if (a === '--runs') o.runs = Number(argv[++i]);
    else if (a === '--input') {
      const [name, dims] = argv[++i].split('=');
      o.inputs[name] = dims.split('x').map(Number);
    } else if (a === '--save-outputs') o.saveOutputs = argv[++i];
    else if (a === '--json') o.json = argv[++i];
    else o.model = a;
  }
  if (!o.model) throw new Error('usage: ort_run.mjs MODEL [--threads N] [--runs N] [--input NAME=DIMS]');
  return o;
}

// Element i is ((i * 7) % 256) / 255 - 0.5, as interstage's defaultInput().
function defaultInput(dims) {
  const n = dims.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  for (let i = 0; i < n; ++i) data[i] = ((i * 7) % 256) / 255 - 0.5;
  return new ort.Tensor('float32', data, dims);
}

// A serialized onnx.TensorProto (float32, raw_data): dims=1, data_type=2,
// name=8, raw_data=9.
function varint(n) {
  const out = [];
  let v = BigInt(n);
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) byte |= 0x80;
    out.push(byte);
  } while (v > 0n);
  return out;
}
function tensorProto(name, tensor) {
  const parts = [];
  for (const d of tensor.dims) parts.push(Buffer.from([0x08, ...varint(d)]));
  parts.push(Buffer.from([0x10, 1]));
  const nameBytes = Buffer.from(name, 'utf8');
  parts.push(Buffer.from([0x42, ...varint(nameBytes.length)]), nameBytes);
  const raw = Buffer.from(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength);
  parts.push(Buffer.from([0x4a, ...varint(raw.length)]), raw);
  return Buffer.concat(parts);
}

const o = parseArgs(process.argv.slice(2));
const createStart = process.hrtime.bigint();
const session = await ort.InferenceSession.create(o.model, {
  intraOpNumThreads: o.threads,
  interOpNumThreads: 1,
  executionMode: 'sequential',
  graphOptimizationLevel: 'all',
});
// Session creation (load, graph optimizations, kernel set-up): with the
// first run, ORT's time to the first result.
const createMs = Number(process.hrtime.bigint() - createStart) / 1e6;
const feeds = {};
for (const name of session.inputNames) {
  const dims = o.inputs[name];
  if (!dims) throw new Error(`give the shape of input '${name}' with --input ${name}=DIMS`);
  feeds[name] = defaultInput(dims);
}
const runs = [];
let results;
for (let r = 1; r <= o.runs; ++r) {
  const start = process.hrtime.bigint();
  results = await session.run(feeds);
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  runs.push(ms);
  console.log(`run ${r}: processing time ${Math.round(ms)} ms`);
}
if (o.saveOutputs) {
  fs.mkdirSync(o.saveOutputs, { recursive: true });
  for (const name of session.outputNames)
    fs.writeFileSync(path.join(o.saveOutputs, name.replace(/[/\\:]/g, '_') + '.pb'), tensorProto(name, results[name]));
}
if (o.json) {
  const outputs = session.outputNames.map((name) => ({ name, shape: results[name].dims }));
  fs.writeFileSync(o.json, JSON.stringify({ backend: 'onnxruntime', threads: o.threads, create_ms: createMs, runs: runs.map((ms) => ({ ms })), outputs }, null, 2));
}
