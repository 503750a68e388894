// A float16 / bfloat16 model, interstage-cli vs ONNX Runtime: every output
// within rtol / atol * max|ref| of ORT's (same default input pattern,
// narrowed to the half type), and steady times side by side.
//   node bench/compare_half.mjs MODEL.onnx INPUT=1x3x1024x1024 [--threads 2] [--runs 4]
//     [--rtol 1e-2] [--atol 1e-3] [--mode default] [-- more interstage-cli run options]
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ort from '/work/main/bench/node_modules/onnxruntime-node/dist/index.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(root, 'build/bin/interstage-cli');
const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const [model, inputSpec] = args;
const passThrough = args.includes('--') ? args.slice(args.indexOf('--') + 1) : [];
const threads = Number(opt('--threads', 2));
const runs = Number(opt('--runs', 4));
const rtol = Number(opt('--rtol', 1e-2));
const atol = Number(opt('--atol', 1e-3));
const [inputName, dimText] = inputSpec.split('=');
const dims = dimText.split('x').map(Number);

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
function toHalf(v) {
  // float -> IEEE half, round to nearest even (values here are normal halves)
  f32[0] = v;
  const x = u32[0];
  const sign = (x >>> 16) & 0x8000;
  const abs = x & 0x7fffffff;
  if (abs < 0x38800000) return sign | Math.round(Math.abs(v) * 16777216);
  let h = (((abs >>> 23) - 112) << 10) | ((abs & 0x7fffff) >>> 13);
  const rest = abs & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && (h & 1))) ++h;
  return sign | h;
}
function fromHalf(h) {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f, m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}
const toBf16 = (v) => { f32[0] = v; const x = u32[0]; return (x + 0x7fff + ((x >>> 16) & 1)) >>> 16; };
const fromBf16 = (b) => { u32[0] = b << 16; return f32[0]; };

// A TensorProto's dims, data_type and raw_data (all interstage writes).
function readTensor(file) {
  const buf = fs.readFileSync(file);
  let pos = 0;
  const varint = () => { let r = 0n, s = 0n; for (;;) { const b = buf[pos++]; r |= BigInt(b & 0x7f) << s; s += 7n; if (!(b & 0x80)) return Number(r); } };
  const t = { dims: [], type: 0, raw: null };
  while (pos < buf.length) {
    const key = varint(), field = key >> 3, wire = key & 7;
    if (wire === 0) { const v = varint(); if (field === 1) t.dims.push(v); else if (field === 2) t.type = v; }
    else if (wire === 2) { const len = varint(); const body = buf.subarray(pos, pos + len); pos += len;
      if (field === 9) t.raw = body;
      else if (field === 1) { const save = pos; let p2 = 0; /* packed dims */ const sub = body; let i = 0;
        while (i < sub.length) { let r = 0, s = 0; for (;;) { const b = sub[i++]; r += (b & 0x7f) * 2 ** s; s += 7; if (!(b & 0x80)) break; } t.dims.push(r); } pos = save; } }
    else if (wire === 5) pos += 4; else if (wire === 1) pos += 8;
  }
  const n = t.raw.length / (t.type === 1 ? 4 : 2);
  const values = new Float64Array(n);
  for (let i = 0; i < n; ++i) {
    if (t.type === 1) values[i] = t.raw.readFloatLE(i * 4);
    else if (t.type === 10) values[i] = fromHalf(t.raw.readUInt16LE(i * 2));
    else values[i] = fromBf16(t.raw.readUInt16LE(i * 2));
  }
  return values;
}

const session = await ort.InferenceSession.create(model, { intraOpNumThreads: threads, graphOptimizationLevel: 'all' });
const meta = session.inputMetadata ? session.inputMetadata.find?.((m) => m.name === inputName) : null;
const count = dims.reduce((a, b) => a * b, 1);
const pattern = (i) => ((i * 7) % 256) / 255 - 0.5;
const type = meta && meta.type ? meta.type : 'float16';
let tensor;
if (type === 'float32') tensor = new ort.Tensor('float32', Float32Array.from({ length: count }, (_, i) => pattern(i)), dims);
else if (type === 'bfloat16') tensor = new ort.Tensor('bfloat16', Uint16Array.from({ length: count }, (_, i) => toBf16(pattern(i))), dims);
else tensor = new ort.Tensor('float16', Uint16Array.from({ length: count }, (_, i) => toHalf(pattern(i))), dims);
const ortMs = [];
let results;
for (let r = 0; r < runs; ++r) {
  const t0 = performance.now();
  results = await session.run({ [inputName]: tensor });
  ortMs.push(performance.now() - t0);
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'half-'));
const json = path.join(dir, 'run.json');
const r = spawnSync(cli, ['run', model, '--input', inputSpec, '--threads', String(threads), '--runs', String(runs),
  '--mode', opt('--mode', 'default'), '--save-outputs', dir, '--json', json, ...passThrough], { encoding: 'utf8' });
if (r.status !== 0) { console.log(r.stderr || r.stdout); process.exit(1); }
const ours = JSON.parse(fs.readFileSync(json, 'utf8')).runs.map((x) => x.ms);
let ok = true;
for (const name of session.outputNames) {
  const ref = results[name].data;
  const got = readTensor(path.join(dir, `${name.replace(/[/\\:]/g, '_')}.pb`));
  const refOf = (i) => (results[name].type === 'float16' ? fromHalf(ref[i]) : results[name].type === 'bfloat16' ? fromBf16(ref[i]) : ref[i]);
  let maxRef = 0;
  for (let i = 0; i < got.length; ++i) maxRef = Math.max(maxRef, Math.abs(refOf(i)));
  let worst = 0, bad = 0;
  for (let i = 0; i < got.length; ++i) {
    const d = Math.abs(got[i] - refOf(i));
    const allowed = atol * maxRef + rtol * Math.abs(refOf(i));
    if (!(d <= allowed)) ++bad;
    worst = Math.max(worst, d);
  }
  ok = ok && bad === 0 && got.length === ref.length;
  console.log(`${name}: ${got.length} values, max|ref| ${maxRef.toPrecision(4)}, max diff ${worst.toPrecision(3)}, outside tolerance ${bad}`);
}
const median = (a) => { const s = a.slice(1).sort((x, y) => x - y); return s.length ? s[Math.floor((s.length - 1) / 2)] : a[0]; };
console.log(`threads ${threads}: ours steady ${median(ours).toFixed(1)} ms, ORT steady ${median(ortMs).toFixed(1)} ms, ratio ${(median(ours) / median(ortMs)).toFixed(2)}`);
fs.rmSync(dir, { recursive: true });
process.exit(ok ? 0 : 1);
